/**
 * The ceremony API (coordinator/ceremonies.ts; .proofmesh/CEREMONY-DESIGN.md):
 *
 *   POST /v1/ceremonies                                           start (ModelRegistry owner's EIP-712 CeremonyStart)
 *   GET  /v1/ceremonies/:model                                    state: turns, deadlines, current zkeys, contributions
 *   PUT  /v1/ceremonies/:model/contributions/:index/shards/:shard raw zkey (current contributor's CeremonyUpload in x-proofmesh-signature)
 *   POST /v1/ceremonies/:model/contributions                      the signed contribution; verified, then current
 *
 * `:model` is the manifest id or the bytes32 model id. The zkeys are downloaded with
 * GET /v1/artifacts/:sha256 (routes/artifacts.ts).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import type { Hex } from "viem";
import {
  CeremonyContributionBody,
  CeremonyModelParams,
  CeremonySchema,
  CeremonyStartBody,
  CeremonyUploadHeaders,
  CeremonyUploadParams,
  CeremonyUploadSchema,
  ErrorResponses,
} from "../schemas.ts";
import type { Coordinator } from "../services.ts";
import { OCTET_STREAM, RawBodySchema, rawBody, rawBodyScope, rawValidatorCompiler } from "./raw-body.ts";

/** Route body limit of zkey uploads when no initial zkey is built yet and none is configured. */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 64 * 1024 * 1024;

/** The body limit of zkey / key uploads: the config's, else 2 × the largest initial zkey of the manifest. */
export function uploadLimitBytes(c: Coordinator): number {
  return c.config.uploadLimitBytes ?? (c.ceremonies.maxUploadBytes() || DEFAULT_UPLOAD_LIMIT_BYTES);
}

export const ceremonyRoutes: FastifyPluginAsync<{ coordinator: Coordinator }> = async (fastify, { coordinator: c }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/v1/ceremonies",
    {
      schema: {
        tags: ["ceremonies"],
        summary: "Start a model's phase-2 ceremony: contributors in order, turn length, beacon block (signed by the ModelRegistry owner)",
        description:
          "signature = EIP-712 CeremonyStart(bytes32 modelId,address[] contributors,uint256 contributorTimeoutMs,uint256 beaconBlock), domain {name: \"ProofMesh Ceremony\", version: \"1\"}, by ModelRegistry.owner(). " +
          "Refused: UNKNOWN_MODEL, DUPLICATE_CONTRIBUTOR, BAD_SIGNATURE, BEACON_NOT_IN_FUTURE (beaconBlock <= head), MODEL_REGISTERED, CEREMONY_EXISTS (running or ready).",
        body: CeremonyStartBody,
        response: { 200: CeremonySchema, ...ErrorResponses },
      },
    },
    async (req) => c.ceremonies.start({ ...req.body, signature: req.body.signature as Hex }),
  );

  app.get(
    "/v1/ceremonies/:model",
    {
      schema: {
        tags: ["ceremonies"],
        summary: "A ceremony: status, whose turn it is and until when, the current zkey per shard (download from /v1/artifacts), accepted contributions",
        description: "Timeouts apply when read: a contributor past its deadline is skipped and the next one's turn starts at that deadline. No contributor left: ready (at least one contribution) or failed.",
        params: CeremonyModelParams,
        response: { 200: CeremonySchema, ...ErrorResponses },
      },
    },
    async (req) => c.ceremonies.get(req.params.model),
  );

  app.post(
    "/v1/ceremonies/:model/contributions",
    {
      schema: {
        tags: ["ceremonies"],
        summary: "Submit the current turn's contribution: every shard's uploaded zkey is verified (zkey verify from the initial zkey, transcript = current + one contribution with the posted hash), then becomes current",
        description:
          "signature = EIP-712 Contribution(bytes32 modelId,uint256 index,bytes32 transcriptHash) by operator, transcriptHash = keccak256(concat(shard contribution hashes)). " +
          "Refused: UNKNOWN_CEREMONY, ALREADY_CONTRIBUTED (replay), CEREMONY_CLOSED, NOT_YOUR_TURN, BAD_SIGNATURE, UPLOAD_MISSING, ZKEY_INVALID, TRANSCRIPT_MISMATCH, CONTRIBUTION_HASH_MISMATCH.",
        params: CeremonyModelParams,
        body: CeremonyContributionBody,
        response: { 200: CeremonySchema, ...ErrorResponses },
      },
    },
    async (req) => c.ceremonies.contribute(req.params.model, { ...req.body, signature: req.body.signature as Hex }),
  );

  await rawBodyScope(fastify, uploadLimitBytes(c), (scope) => {
    scope.withTypeProvider<TypeBoxTypeProvider>().put(
      "/v1/ceremonies/:model/contributions/:index/shards/:shard",
      {
        bodyLimit: uploadLimitBytes(c),
        config: { mediaType: OCTET_STREAM },
        validatorCompiler: rawValidatorCompiler,
        schema: {
          consumes: [OCTET_STREAM],
          body: RawBodySchema,
          tags: ["ceremonies"],
          summary: "Upload one shard's zkey of the current turn (raw application/octet-stream body, at most 2 × the initial zkey)",
          description:
            "Header x-proofmesh-signature = EIP-712 CeremonyUpload(bytes32 modelId,uint256 index,uint256 shard,bytes32 sha256) by the current contributor, sha256 of the body. " +
            "The zkey must be the current zkey plus exactly one contribution (TRANSCRIPT_MISMATCH otherwise); it stays pending until the contribution is posted.",
          params: CeremonyUploadParams,
          headers: CeremonyUploadHeaders,
          response: { 200: CeremonyUploadSchema, ...ErrorResponses },
        },
      },
      async (req) =>
        c.ceremonies.upload({ model: req.params.model, index: req.params.index, shard: req.params.shard, signature: req.headers["x-proofmesh-signature"] as Hex, body: rawBody(req.body) }),
    );
  });
};
