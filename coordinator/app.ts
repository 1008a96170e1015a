/**
 * The coordinator's HTTP API as a fastify app (fastify-demo style: `buildApp` configures the
 * instance, `coordinatorRoutes` is the plugin with every route; `server.ts` only listens and
 * shuts down). TypeBox schemas on every route, requests and responses; OpenAPI at
 * `/openapi.json`; Prometheus at `/metrics`; rate limiting; every error body is the wire ApiError
 * `{ statusCode, code, error, message }` with a stable `code` (errors.ts).
 *
 * Routes:
 *   GET  /v1/health                               coordinator status, chain index, gossip multiaddrs
 *   GET  /metrics                                 Prometheus
 *   GET  /openapi.json                            OpenAPI 3 document
 *   POST /v1/jobs                                 submit a signed job + input → fast-path JobAnswer
 *   GET  /v1/jobs/:jobId                          job status
 *   GET  /v1/jobs/:jobId/events                   server-sent events until settled / expired / failed
 *   GET  /v1/explorer/jobs                        list / filter jobs (status, modelId, dApp, nodeId; paged)
 *   GET  /v1/explorer/jobs/:jobId                 full trace (?verify=true: noble re-verification)
 *   GET  /v1/explorer/nodes, /v1/explorer/nodes/:nodeId
 *   GET  /v1/explorer/clusters, /v1/explorer/models
 *   GET  /v1/explorer/models/:id                  one model: shards, on-chain ceremony record, the coordinator's ceremony times
 *   GET  /v1/models/:modelId/shards/:k/vkey       verification key JSON (+ its id): the one ceremonyOf(modelId) names
 *   GET  /v1/placement                            shard placement per cluster
 *   routes/artifacts.ts:   GET /v1/artifacts, GET + PUT /v1/artifacts/:sha256 (content-addressed files, final keys)
 *   routes/ceremonies.ts:  POST /v1/ceremonies, GET /v1/ceremonies/:model,
 *                          PUT /v1/ceremonies/:model/contributions/:index/shards/:shard, POST /v1/ceremonies/:model/contributions
 */
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyError, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Type } from "typebox";
import { JobAnswerSchema, JobSubmissionSchema, StageLimits } from "../node/wire/messages.ts";
import { strictValidatorCompiler } from "../node/wire/http-validator.ts";
import { DEFAULT_HEALTH_CONFIG } from "./routing/health.ts";
import { ApiErrorCodes, ApiProblem, type ApiErrorCode } from "./errors.ts";
import {
  ClusterListSchema,
  ErrorResponses,
  ExplorerModelParams,
  ExplorerModelSchema,
  HealthSchema,
  JobIdParams,
  JobListQuery,
  JobListSchema,
  JobStatusSchema,
  JobTraceQuery,
  JobTraceSchema,
  ModelListSchema,
  NodeIdParams,
  NodeListQuery,
  NodeListSchema,
  NodeSchema,
  PlacementSchema,
  VkeyParams,
  VkeySchema,
} from "./schemas.ts";
import { serverTiming } from "./jobs.ts";
import { artifactRoutes, loadRecords } from "./routes/artifacts.ts";
import { ceremonyRoutes } from "./routes/ceremonies.ts";
import type { Coordinator } from "./services.ts";

const TERMINAL = new Set(["settled", "expired", "failed"]);

/** Longest URL path parameter (fastify's default; ids and hashes are at most 78 characters). */
const MAX_PARAM_LENGTH = 100;

function httpError(statusCode: number): string {
  return (
    { 400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable" } as Record<number, string>
  )[statusCode] ?? "Error";
}

function body(code: ApiErrorCode, message: string) {
  const statusCode = ApiErrorCodes[code];
  return { statusCode, code, error: httpError(statusCode), message: message.slice(0, 2048) };
}

/** The failing route: its URL pattern (only POST /v1/jobs has a tensor), body limit and media type (messages of 413 / 415). */
export type ApiErrorContext = { route?: string; bodyLimit?: number; mediaType?: string };

/** Maps any thrown error to the ApiError body. Bad input is always 4xx, never 5xx. */
export function toApiError(err: FastifyError | Error, ctx: ApiErrorContext = {}): { statusCode: number; code: ApiErrorCode; error: string; message: string } {
  if (err instanceof ApiProblem) return body(err.code, err.shortMessage);
  const e = err as FastifyError & { validation?: { instancePath?: string; message?: string; keyword?: string }[]; validationContext?: string };
  if (e.validation) {
    const first = [...e.validation].sort((a, b) => (b.instancePath?.length ?? 0) - (a.instancePath?.length ?? 0))[0];
    const where = `${e.validationContext ?? "request"}${first?.instancePath ?? ""}`;
    const tensor = e.validationContext === "body" && (ctx.route === undefined || ctx.route === "/v1/jobs") && /^\/input(\/|$)/.test(first?.instancePath ?? "");
    // TypeBox reports a field that additionalProperties: false refuses as "schema is false"
    const what = first?.keyword === "boolean" ? "unknown field" : (first?.message ?? "invalid");
    return body(tensor ? "MALFORMED_TENSOR" : "INVALID_REQUEST", tensor ? `${where}: ${what} (input must be integers 0..255)` : `${where}: ${what}`);
  }
  switch (e.code) {
    // router errors (frameworkErrors): never echo the URL, it may be megabytes
    case "FST_ERR_BAD_URL":
      return body("INVALID_REQUEST", "the URL path is not valid (bad percent-encoding)");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return body("INVALID_REQUEST", `a URL path parameter is longer than ${MAX_PARAM_LENGTH} characters`);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return body("PAYLOAD_TOO_LARGE", `body larger than ${ctx.bodyLimit ?? StageLimits.maxBytes} bytes`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return body("UNSUPPORTED_MEDIA_TYPE", `send ${ctx.mediaType ?? "application/json"}`);
    default:
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 429) return body("RATE_LIMITED", e.message);
    if (e.statusCode === 413) return body("PAYLOAD_TOO_LARGE", e.message);
    if (e.statusCode === 415) return body("UNSUPPORTED_MEDIA_TYPE", e.message);
    if (e.statusCode === 404) return body("NOT_FOUND", e.message);
    return body("INVALID_REQUEST", e.message);
  }
  return body("INTERNAL", "internal error");
}

export type CoordinatorRoutesOptions = { coordinator: Coordinator };

/** Every route of the coordinator (the plugin). */
export const coordinatorRoutes: FastifyPluginAsync<CoordinatorRoutesOptions> = async (fastify, { coordinator: c }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const sse = new Set<{ end: () => void }>();
  app.addHook("preClose", async () => {
    for (const s of sse) s.end();
  });

  // ---------------------------------------------------------------- service
  app.get(
    "/v1/health",
    { schema: { tags: ["service"], summary: "Coordinator status: chain index, gossip multiaddrs (node bootstrap), node health counts", response: { 200: HealthSchema, ...ErrorResponses } } },
    async () => {
      const idx = c.indexer.status();
      const mesh = c.gossip();
      const states = { alive: 0, suspect: 0, dead: 0 };
      for (const n of c.view.nodes()) if (c.view.ineligibleReason(n) === null) states[c.view.healthOf(n.id)] += 1;
      const stats = mesh?.stats();
      return {
        status: idx.consecutiveFailures === 0 && idx.lastIndexedBlock !== null ? ("ok" as const) : ("degraded" as const),
        chainId: c.chain.chainId,
        contracts: c.chain.deployment.contracts,
        relayer: c.chain.walletClient?.account.address ?? null,
        indexer: idx,
        gossip: mesh ? { peerId: mesh.peerId, multiaddrs: mesh.multiaddrs(), topics: [...mesh.topics], accepted: stats!.accepted, received: stats!.received } : null,
        nodes: states,
        relay: c.jobs.relayCounts(),
        inFlightSubmissions: c.jobs.inProgressCount(),
        healthTimings: {
          heartbeatIntervalMs: DEFAULT_HEALTH_CONFIG.heartbeatIntervalMs,
          suspectAfterMs: DEFAULT_HEALTH_CONFIG.suspectAfterMs,
          deadAfterMs: DEFAULT_HEALTH_CONFIG.deadAfterMs,
          probeIntervalMs: c.config.probeIntervalMs,
          probeTimeoutMs: c.config.probeTimeoutMs,
        },
      };
    },
  );

  app.get(
    "/metrics",
    { config: { rateLimit: false }, schema: { tags: ["service"], summary: "Prometheus metrics", response: { 200: { content: { "text/plain": { schema: Type.String() } } } } } },
    async (_req, reply) => {
      const idx = c.indexer.status();
      if (idx.lastIndexedBlock !== null) c.metrics.indexedBlock.set(Number(idx.lastIndexedBlock));
      if (idx.lagBlocks !== null) c.metrics.indexLag.set(idx.lagBlocks);
      const states = { alive: 0, suspect: 0, dead: 0 };
      for (const n of c.view.nodes()) states[c.view.healthOf(n.id)] += 1;
      for (const [k, v] of Object.entries(states)) c.metrics.nodes.set({ state: k }, v);
      reply.type(c.metrics.registry.contentType);
      return c.metrics.registry.metrics();
    },
  );

  // ---------------------------------------------------------------- jobs (dApps)
  app.post(
    "/v1/jobs",
    {
      schema: {
        tags: ["jobs"],
        summary: "Submit an EIP-712 signed job with its input; answers from the pipeline at once (tentative), relays to the chain",
        description: "Idempotent on (dApp, nonce): the same submission returns the stored answer; a different submission with a used nonce is 409 NONCE_USED.",
        body: JobSubmissionSchema,
        response: { 200: JobAnswerSchema, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      try {
        const { answer, replayed, timings } = await c.jobs.submit(req.body);
        reply.header("x-idempotent-replay", String(replayed));
        reply.header("server-timing", serverTiming(timings));
        return answer;
      } catch (err) {
        if (err instanceof ApiProblem) c.metrics.rejected.inc({ code: err.code });
        throw err;
      }
    },
  );

  app.get(
    "/v1/jobs/:jobId",
    { schema: { tags: ["jobs"], summary: "Job status: answered → assigned → proving → settled | expired (or failed)", params: JobIdParams, response: { 200: JobStatusSchema, ...ErrorResponses } } },
    async (req) => {
      const st = c.jobs.status(req.params.jobId);
      if (!st) throw new ApiProblem("UNKNOWN_JOB", `job ${req.params.jobId} is unknown to this coordinator and not on chain`);
      return st;
    },
  );

  app.get(
    "/v1/jobs/:jobId/events",
    {
      schema: {
        tags: ["jobs"],
        summary: "Server-sent events: `status` events (JobStatus JSON) on every change, until settled / expired / failed",
        params: JobIdParams,
        response: { 200: { content: { "text/event-stream": { schema: Type.String() } } }, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const jobId = req.params.jobId;
      const first = c.jobs.status(jobId);
      if (!first) throw new ApiProblem("UNKNOWN_JOB", `job ${jobId} is unknown to this coordinator and not on chain`);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
      let last = "";
      let closed = false;
      const entry = { end: () => finish() };
      const send = () => {
        const st = c.jobs.status(jobId);
        if (!st || closed) return;
        const json = JSON.stringify(st);
        if (json !== last) {
          last = json;
          res.write(`event: status\ndata: ${json}\n\n`);
        }
        if (TERMINAL.has(st.status)) finish();
      };
      const unsubscribe = c.jobs.onJob(jobId, send);
      const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
      keepAlive.unref?.();
      function finish() {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(keepAlive);
        sse.delete(entry);
        res.end();
      }
      sse.add(entry);
      req.raw.on("close", finish);
      send();
    },
  );

  // ---------------------------------------------------------------- explorer (auditors)
  app.get(
    "/v1/explorer/jobs",
    { schema: { tags: ["explorer"], summary: "List jobs (newest first), filtered by status, modelId, dApp, nodeId", querystring: JobListQuery, response: { 200: JobListSchema, ...ErrorResponses } } },
    async (req) => c.explorer.listJobs({ ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.get(
    "/v1/explorer/jobs/:jobId",
    {
      schema: {
        tags: ["explorer"],
        summary: "A job's full trace: request + signature, route and why, assignment, each stage's proof (snarkjs JSON), public signals, vkey id, txs, payouts, settlement",
        params: JobIdParams,
        querystring: JobTraceQuery,
        response: { 200: JobTraceSchema, ...ErrorResponses },
      },
    },
    async (req) => {
      const modelId = c.jobs.status(req.params.jobId)?.modelId;
      if (modelId) await loadRecords(c, [modelId]); // the vkeys of the on-chain record
      const t = c.explorer.jobTrace(req.params.jobId, { verify: req.query.verify === true });
      if (!t) throw new ApiProblem("UNKNOWN_JOB", `job ${req.params.jobId} is unknown to this coordinator and not on chain`);
      return t;
    },
  );

  app.get(
    "/v1/explorer/nodes",
    { schema: { tags: ["explorer"], summary: "Registered nodes with stake, health, load, served shards, compute EWMA, RTTs", querystring: NodeListQuery, response: { 200: NodeListSchema, ...ErrorResponses } } },
    async (req) => c.explorer.listNodes({ ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.get(
    "/v1/explorer/nodes/:nodeId",
    { schema: { tags: ["explorer"], summary: "One node", params: NodeIdParams, response: { 200: NodeSchema, ...ErrorResponses } } },
    async (req) => {
      const n = c.explorer.nodeJson(req.params.nodeId);
      if (!n) throw new ApiProblem("UNKNOWN_NODE", `node ${req.params.nodeId} is not registered`);
      return n;
    },
  );

  app.get("/v1/explorer/clusters", { schema: { tags: ["explorer"], summary: "Clusters with members and health counts", response: { 200: ClusterListSchema, ...ErrorResponses } } }, async () => ({
    items: c.explorer.listClusters(),
  }));

  app.get("/v1/explorer/models", { schema: { tags: ["explorer"], summary: "Registered models and shards, with vkey ids (on-chain ceremony record) and artefact hashes", response: { 200: ModelListSchema, ...ErrorResponses } } }, async () => {
    await loadRecords(c, c.view.models().map((m) => m.modelId));
    return { items: c.explorer.listModels() };
  });

  app.get(
    "/v1/explorer/models/:id",
    {
      schema: {
        tags: ["explorer"],
        summary: "One model (manifest id or bytes32 id): shards, its on-chain ceremony record (ptau, beacon, per-shard zkey / vkey hashes, contributions) and the coordinator's ceremony times",
        params: ExplorerModelParams,
        response: { 200: ExplorerModelSchema, ...ErrorResponses },
      },
    },
    async (req) => {
      const m = await c.explorer.modelDetail(req.params.id);
      if (!m) throw new ApiProblem("UNKNOWN_MODEL", `model ${req.params.id} is neither in the manifest nor registered on chain`);
      return m;
    },
  );

  app.get(
    "/v1/models/:modelId/shards/:k/vkey",
    { schema: { tags: ["explorer"], summary: "Verification key (snarkjs JSON) of a shard; vkeyId = sha256 of the file", params: VkeyParams, response: { 200: VkeySchema, ...ErrorResponses } } },
    async (req) => {
      const { modelId, k } = req.params;
      const m = c.view.model(modelId);
      if (!m && !c.manifest.byModelId(modelId)) throw new ApiProblem("UNKNOWN_MODEL", `model ${modelId} is unknown`);
      try {
        await c.keys.recordOf(modelId);
      } catch (cause) {
        throw new ApiProblem("CHAIN_UNAVAILABLE", `cannot read ModelRegistry.ceremonyOf(${modelId}): ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`, { cause });
      }
      // the vkey the on-chain ceremony record names (vkeyHash), never the manifest's by reference
      const v = c.keys.vkey(modelId, k);
      switch (v.status) {
        case "ok":
          return { modelId: modelId.toLowerCase(), shard: k, vkeyId: v.vkeyId, path: v.path, vkey: v.vkey };
        case "no-shard":
          throw new ApiProblem("UNKNOWN_SHARD", `model ${modelId} has no shard ${k} with a verification key (its ceremony record has ${v.shards})`);
        case "missing":
          throw new ApiProblem("KEY_UNAVAILABLE", `the verification key of shard ${k} (on-chain vkeyHash ${v.vkeyHash}) is not held by this coordinator (publish it with PUT /v1/artifacts/${v.vkeyHash})`);
        default: {
          const shards = c.manifest.byModelId(modelId)?.shards.length ?? 0;
          if (k >= shards) throw new ApiProblem("UNKNOWN_SHARD", `model ${modelId} has no shard ${k} with a verification key`);
          throw new ApiProblem("KEY_UNAVAILABLE", `model ${modelId} is not registered on chain: no ceremony record names its verification keys yet`);
        }
      }
    },
  );

  app.get("/v1/placement", { schema: { tags: ["explorer"], summary: "Which nodes hold which shard, per cluster (capacity-aware placement)", response: { 200: PlacementSchema, ...ErrorResponses } } }, async () =>
    c.view.placement(),
  );

  // ---------------------------------------------------------------- artefacts, ceremonies
  await fastify.register(artifactRoutes, { coordinator: c });
  await fastify.register(ceremonyRoutes, { coordinator: c });
};

/** fastify `frameworkErrors`: router failures (bad percent-encoding, over-long path parameter) as ApiErrors. */
function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const b = toApiError(err);
  req.log.info({ code: b.code, msg: b.message }, "request rejected");
  void reply.status(b.statusCode).send(b);
}

export type BuildAppParameters = { coordinator: Coordinator; logger: Logger };

/** A configured fastify instance with every plugin and route (not listening). */
export async function buildApp({ coordinator, logger }: BuildAppParameters) {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: StageLimits.maxBytes,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // bad percent-encoding / over-long path parameters: ApiErrors too (fastify's own body otherwise)
    frameworkErrors,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  }).setValidatorCompiler(strictValidatorCompiler); // TypeBox; strict integers/booleans in params and query strings

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "ProofMesh coordinator", version: "1", description: "Job API (dApps), explorer API (auditors), artefacts (nodes), phase-2 ceremonies (contributors). Errors: ApiError with a stable `code`." },
      tags: [{ name: "jobs" }, { name: "explorer" }, { name: "artifacts" }, { name: "ceremonies" }, { name: "service" }],
    },
  });
  await app.register(rateLimit, {
    max: coordinator.config.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => new ApiProblem("RATE_LIMITED", `rate limit of ${ctx.max} requests per ${ctx.after} exceeded`),
  });

  app.setErrorHandler((err, req, reply) => {
    const b = toApiError(err as FastifyError, { route: req.routeOptions.url, bodyLimit: req.routeOptions.bodyLimit, mediaType: req.routeOptions.config?.mediaType });
    if (b.statusCode >= 500 && b.code === "INTERNAL") req.log.error({ err }, "unhandled error");
    else req.log.info({ code: b.code, msg: b.message }, "request rejected");
    return reply.status(b.statusCode).send(b);
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(body("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`)));
  app.addHook("onResponse", async (req, reply) => {
    coordinator.metrics.http.observe({ method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) }, reply.elapsedTime);
  });

  await app.register(coordinatorRoutes, { coordinator });
  app.get("/openapi.json", { schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } } }, async () => app.swagger());
  return app;
}
