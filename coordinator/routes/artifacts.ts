/**
 * Content-addressed artefacts (nodes, contributors, auditors):
 *
 *   GET /v1/artifacts               the manifest's onnx / wasm / circuit, and the keys (zkey, vkey)
 *                                   the ON-CHAIN ceremony records name, where this coordinator holds them
 *   GET /v1/artifacts/:sha256       any file held whose bytes hash to :sha256: deployment key files,
 *                                   manifest artefacts, the blob store (ceremony zkeys, published keys)
 *   PUT /v1/artifacts/:sha256       publish a registered model's final zkey / vkey: accepted only when
 *                                   :sha256 is a zkeyHash / vkeyHash of an on-chain ceremony record
 *                                   (and the body hashes to it); no other authorisation
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { ApiProblem } from "../errors.ts";
import { ArtifactListSchema, ArtifactParams, ArtifactPutSchema, ErrorResponses } from "../schemas.ts";
import type { Coordinator } from "../services.ts";
import { uploadLimitBytes } from "./ceremonies.ts";
import { createHash } from "node:crypto";
import { OCTET_STREAM, RawBodySchema, rawBody, rawBodyScope, rawValidatorCompiler } from "./raw-body.ts";

/** Loads the on-chain records of these models into the key index (a chain failure leaves them out). */
export async function loadRecords(c: Coordinator, modelIds: readonly string[]): Promise<void> {
  await Promise.all(modelIds.map((id) => c.keys.recordOf(id).catch(() => null)));
}

/** Models whose on-chain record may name a key: registered ones (index) and the manifest's. */
export function knownModelIds(c: Coordinator): string[] {
  return [...new Set([...c.view.models().map((m) => m.modelId.toLowerCase()), ...c.manifest.models.map((m) => m.modelId.toLowerCase())])];
}

export const artifactRoutes: FastifyPluginAsync<{ coordinator: Coordinator }> = async (fastify, { coordinator: c }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/v1/artifacts",
    { schema: { tags: ["artifacts"], summary: "Artefacts by content hash: the manifest's onnx, wasm, circom; the zkeys and vkeys of the on-chain ceremony records", response: { 200: ArtifactListSchema, ...ErrorResponses } } },
    async () => {
      await loadRecords(c, knownModelIds(c));
      const items = new Map<string, ReturnType<typeof c.manifest.artifacts>[number]>();
      // the manifest's committed zkey / vkey are not the chain's keys: never listed as such
      for (const a of c.manifest.artifacts()) if (a.kind !== "zkey" && a.kind !== "vkey") items.set(a.sha256, a);
      for (const a of c.keys.keyArtifacts()) if (!items.has(a.sha256)) items.set(a.sha256, a);
      return { items: [...items.values()].map((a) => ({ ...a, url: `/v1/artifacts/${a.sha256}` })) };
    },
  );

  app.get(
    "/v1/artifacts/:sha256",
    {
      config: { rateLimit: false },
      schema: {
        tags: ["artifacts"],
        summary: "A file by its sha256 (served only if the bytes match): manifest artefacts, final keys, ceremony zkeys",
        params: ArtifactParams,
        response: { 200: { content: { "application/octet-stream": { schema: Type.String({ format: "binary" }) } } }, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const a = c.keys.open(req.params.sha256);
      if (!a) throw new ApiProblem("UNKNOWN_ARTIFACT", `no artefact with sha256 ${req.params.sha256} (or its file is missing / does not match)`);
      reply.header("content-type", a.contentType);
      reply.header("content-length", String(a.bytes));
      reply.header("etag", `"${a.sha256}"`);
      reply.header("cache-control", "public, max-age=31536000, immutable");
      return reply.send(a.stream() as never);
    },
  );

  await rawBodyScope(fastify, uploadLimitBytes(c), (scope) => {
    scope.withTypeProvider<TypeBoxTypeProvider>().put(
      "/v1/artifacts/:sha256",
      {
        bodyLimit: uploadLimitBytes(c),
        config: { mediaType: OCTET_STREAM },
        validatorCompiler: rawValidatorCompiler,
        schema: {
          consumes: [OCTET_STREAM],
          body: RawBodySchema,
          tags: ["artifacts"],
          summary: "Publish a registered model's final zkey or vkey (raw body); only hashes of an on-chain ceremony record are taken",
          description: "Refused: DIGEST_MISMATCH (the body does not hash to :sha256), ARTIFACT_NOT_ON_CHAIN (no registered model's ceremonyOf names it). Idempotent: stored = false when already held.",
          params: ArtifactParams,
          response: { 200: ArtifactPutSchema, ...ErrorResponses },
        },
      },
      async (req) => {
        const body = rawBody(req.body);
        const want = req.params.sha256.toLowerCase();
        const got = createHash("sha256").update(body).digest("hex");
        if (got !== want) throw new ApiProblem("DIGEST_MISMATCH", `the body (${body.length} bytes) hashes to ${got}, not ${want}`);
        let registered: boolean;
        try {
          registered = await c.keys.isRegisteredKey(want, knownModelIds(c));
        } catch (cause) {
          throw new ApiProblem("CHAIN_UNAVAILABLE", `cannot read ModelRegistry.ceremonyOf: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`, { cause });
        }
        if (!registered) throw new ApiProblem("ARTIFACT_NOT_ON_CHAIN", `${want} is not a zkeyHash or vkeyHash of a registered model's on-chain ceremony record`);
        if (c.keys.open(want)) return { sha256: want, bytes: body.length, stored: false };
        const put = await c.blobs.put(body);
        req.log.info({ sha256: want, bytes: put.bytes }, "final key published");
        return { sha256: put.sha256, bytes: put.bytes, stored: put.created };
      },
    );
  });
};
