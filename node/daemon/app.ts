/**
 * The node's HTTP API as a fastify plugin (TypeBox schemas on every route, requests and responses):
 *
 *   POST /v1/stages/execute   run this node's shard, persist the stage, forward along the route
 *   GET  /v1/health           liveness, backend, served shards, queue depth, version
 *   GET  /v1/stages           recent stages and their proof status (newest first)
 *   GET  /v1/artifacts/:sha256  artefacts this node holds (peers fetch shards from here)
 *   GET  /metrics             Prometheus
 *
 * Errors are ApiError bodies with stable codes; bad input is always a 4xx.
 */
import { createReadStream } from "node:fs";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Address, Hex } from "viem";
import { NodeApiError } from "../errors.ts";
import { strictValidatorCompiler } from "../wire/http-validator.ts";
import {
  ApiErrorSchema,
  NodeHealthSchema,
  parseStageExecuteRequest,
  StageExecuteRequestSchema,
  StageExecuteResponseSchema,
  WireValidationError,
  type NodeHealth,
  type StageExecuteResponse,
  type StageTrace,
} from "../wire/messages.ts";
import { JOB_STATUS_NAMES, JobStatus } from "./chain-view.ts";
import { forwardStage } from "./forward.ts";
import type { JobWatcher } from "./job-watcher.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { ProverQueue } from "./prover-queue.ts";
import type { ShardCatalog } from "./shards.ts";
import { STAGE_STATUSES, type NodeStore, type StageRecord } from "./store.ts";

export type NodeIdentity = { chainId: number; nodeId: number; operator: Address; signer: Address; clusterId: number; endpoint: string };

export type NodeAppOptions = {
  identity: NodeIdentity;
  shards: ShardCatalog;
  store: NodeStore;
  queue: ProverQueue;
  metrics: NodeMetrics;
  version: string;
  /**
   * The daemon's index of JobMarket events: a stage whose job is already assigned on chain to
   * another node, or closed, is refused. A local lookup: the fast path makes no RPC call.
   */
  jobs?: Pick<JobWatcher, "peek">;
  gossip?: () => NodeHealth["gossip"];
  draining: () => boolean;
  startedAtMs: number;
  fetchImpl?: typeof fetch;
};

const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema, 413: ApiErrorSchema, 415: ApiErrorSchema, 500: ApiErrorSchema, 502: ApiErrorSchema, 503: ApiErrorSchema, 504: ApiErrorSchema };

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const ERROR_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_INVALID_JSON_BODY: "BAD_REQUEST",
};

const nodeApp: FastifyPluginAsyncTypebox<NodeAppOptions> = async (app, opts) => {
  const { identity, shards, store, queue, metrics, version, jobs, draining, startedAtMs, fetchImpl } = opts;
  let inFlight = 0;
  app.setValidatorCompiler(strictValidatorCompiler); // TypeBox; strict integers in params and query strings ("1.5" is not 1)

  app.setErrorHandler((err: FastifyError | NodeApiError, request, reply) => {
    if (err instanceof NodeApiError) {
      return reply.status(err.statusCode).send({ statusCode: err.statusCode, code: err.code, error: STATUS_TEXT[err.statusCode] ?? "Error", message: err.message, ...(err.extra ?? {}) });
    }
    if (err.validation) {
      const first = err.validation[0];
      const where = `${err.validationContext ?? "body"}${first?.instancePath ?? ""}`;
      const what = first?.keyword === "boolean" ? "unknown field" : (first?.message ?? "invalid"); // TypeBox: "schema is false"
      return reply.status(400).send({ statusCode: 400, code: "BAD_REQUEST", error: "Bad Request", message: `${where}: ${what}` });
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, "internal error");
    const code = ERROR_CODES[err.code] ?? (status === 500 ? "INTERNAL" : "BAD_REQUEST");
    return reply.status(status).send({ statusCode: status, code, error: STATUS_TEXT[status] ?? "Error", message: status === 500 ? "internal error" : err.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ statusCode: 404, code: "NOT_FOUND", error: "Not Found", message: `no route ${request.method} ${request.url.slice(0, 200)}` }),
  );

  /** Rejects a stage whose job the chain already assigned to another node, or closed (from the local event index, no RPC). */
  function checkAssignment(jobId: bigint, stage: number): void {
    const job = jobs?.peek(jobId);
    if (job === undefined) return;
    if (job.status === JobStatus.Assigned && job.nodeIds !== undefined && job.nodeIds[stage] !== identity.nodeId) {
      throw new NodeApiError(409, "NOT_ASSIGNED", `job ${jobId} stage ${stage} is assigned on chain to node ${job.nodeIds[stage]}, not to node ${identity.nodeId}`);
    }
    if (job.status > JobStatus.Assigned) throw new NodeApiError(409, "JOB_CLOSED", `job ${jobId} is already closed on chain (${JOB_STATUS_NAMES[job.status] ?? job.status})`);
  }

  app.post(
    "/v1/stages/execute",
    { schema: { body: StageExecuteRequestSchema, response: { 200: StageExecuteResponseSchema, ...errors } } },
    async (request, reply) => {
      const receivedAt = performance.now();
      let req;
      try {
        req = parseStageExecuteRequest(request.body);
      } catch (err) {
        if (err instanceof WireValidationError) throw new NodeApiError(400, "BAD_REQUEST", err.message);
        throw err;
      }
      if (draining()) throw new NodeApiError(503, "SHUTTING_DOWN", "node is shutting down");
      const modelId = req.modelId as Hex;
      const served = shards.get(modelId, req.stage);
      if (!served) {
        const list = shards.list().map((s) => `${s.modelId}:${s.shard}`).join(", ");
        throw new NodeApiError(404, "SHARD_NOT_SERVED", `this node does not serve model ${req.modelId} shard ${req.stage} (it serves ${list})`);
      }
      const inSize = served.manifest.inputShape[1];
      if (req.input.length !== inSize) throw new NodeApiError(400, "BAD_INPUT", `input has ${req.input.length} activations, shard ${req.stage} takes ${inSize}`);
      if (req.stage + 1 + req.route.length !== served.shardCount) {
        throw new NodeApiError(400, "ROUTE_INCOMPLETE", `route must name stages ${req.stage + 1}..${served.shardCount - 1} (the model has ${served.shardCount} shards), it has ${req.route.length} hop(s)`);
      }
      if (!queue.hasCapacity()) {
        void reply.header("retry-after", "1");
        throw new NodeApiError(503, "QUEUE_FULL", "the prover queue is full; retry later or use another node");
      }
      const labels = { model: served.modelName, shard: String(served.shard) };
      inFlight += 1;
      metrics.inFlight.inc();
      try {
        const deadlineAt = receivedAt + req.timeoutMs;
        checkAssignment(BigInt(req.jobId), req.stage);
        const existing = store.get(req.jobId, req.stage);
        if (existing && JSON.stringify(existing.input) !== JSON.stringify(req.input)) {
          throw new NodeApiError(409, "STAGE_CONFLICT", `job ${req.jobId} stage ${req.stage} was already executed here with a different input`);
        }
        const tRun = performance.now();
        const run = await shards.run(served, req.input);
        metrics.stageComputeMs.observe({ ...labels, backend: shards.backend }, run.computeMs);
        const tStore = performance.now();
        // Forward first, persist while the next stage computes: the stage is still stored before this
        // node answers (it can be proven even if the process dies right after answering), and the
        // SQLite write (≈ 0.15 ms) is no longer on the pipeline's critical path. The price: when the
        // write fails, or two requests for this stage with different inputs race (the loser gets
        // STAGE_CONFLICT), the next stage has already run (and stored) the output of this request.
        const forwarding =
          req.route.length === 0 ? undefined : forwardStage({ jobId: req.jobId, modelId: req.modelId, hop: req.route[0], rest: req.route.slice(1), input: run.output, deadlineAt, ...(fetchImpl ? { fetchImpl } : {}) });
        // node:http writes a request on a kept-alive socket in a nextTick: let it leave before the write
        if (forwarding) await new Promise<void>((resolve) => process.nextTick(resolve));
        const nowMs = Date.now();
        const inserted = existing ? false : store.insertStage({ jobId: req.jobId, stage: req.stage, modelId, modelName: served.modelName, input: req.input, output: run.output, nowMs });
        // a new row is exactly what was written (no read back); a repeat is read from the store
        const rec: StageRecord = inserted
          ? { jobId: req.jobId, stage: req.stage, modelId, modelName: served.modelName, input: req.input, output: run.output, status: "pending", attempts: 0, lastError: null, calldata: null, txHash: null, blockNumber: null, receivedAtMs: nowMs, updatedAtMs: nowMs }
          : (existing ?? store.get(req.jobId, req.stage)!);
        if (!inserted && JSON.stringify(rec.input) !== JSON.stringify(req.input)) {
          // a concurrent request for the same stage with another input won the insert
          await forwarding?.catch(() => undefined);
          throw new NodeApiError(409, "STAGE_CONFLICT", `job ${req.jobId} stage ${req.stage} was already executed here with a different input`);
        }
        if (rec.status === "pending" || rec.status === "proven") queue.enqueue(rec);
        const tForward = performance.now();

        const trace: StageTrace = {
          stage: req.stage,
          nodeId: identity.nodeId,
          address: identity.operator,
          computeMs: run.computeMs,
          totalMs: 0,
          backend: shards.backend,
          failedCandidates: [],
        };
        let response: StageExecuteResponse;
        if (!forwarding) {
          response = { jobId: req.jobId, modelId: req.modelId, output: run.output, result: run.result ?? 0, stages: [trace] };
        } else {
          const fwd = await forwarding;
          trace.failedCandidates = fwd.failed;
          metrics.forwardFailures.inc(fwd.failed.length);
          if (!fwd.ok) {
            const status = fwd.timedOut ? 504 : 502;
            throw new NodeApiError(
              status,
              fwd.timedOut ? "DOWNSTREAM_TIMEOUT" : "DOWNSTREAM_FAILED",
              `stage ${req.route[0].stage}: ${fwd.timedOut ? "no time left" : "every candidate failed"}${fwd.failed.length ? ` (${fwd.failed.map((f) => `node ${f.nodeId}: ${f.error}`).join("; ")})` : ""}`.slice(0, 2000),
              { extra: { failedCandidates: fwd.failed } },
            );
          }
          response = { ...fwd.response, stages: [trace, ...fwd.response.stages] };
        }
        trace.totalMs = performance.now() - receivedAt;
        // where this node's time went (ms): checks before compute, compute, persist + enqueue, downstream
        void reply.header("server-timing", `checks;dur=${(tRun - receivedAt).toFixed(3)}, compute;dur=${(tStore - tRun).toFixed(3)}, store;dur=${(tForward - tStore).toFixed(3)}, forward;dur=${(receivedAt + trace.totalMs - tForward).toFixed(3)}`);
        metrics.stageExecutions.inc({ ...labels, outcome: "ok" });
        return response;
      } catch (err) {
        metrics.stageExecutions.inc({ ...labels, outcome: err instanceof NodeApiError ? err.code : "error" });
        throw err;
      } finally {
        inFlight -= 1;
        metrics.inFlight.dec();
      }
    },
  );

  app.get("/v1/health", { schema: { response: { 200: NodeHealthSchema } } }, async () => {
    const counts = store.counts();
    const health: NodeHealth = {
      status: draining() ? "draining" : "ok",
      version,
      chainId: identity.chainId,
      nodeId: identity.nodeId,
      operator: identity.operator,
      signer: identity.signer,
      clusterId: identity.clusterId,
      endpoint: identity.endpoint,
      backend: shards.backend,
      servedShards: shards.list().map((s) => ({ modelId: s.modelId, model: s.modelName, shard: s.shard, ewmaMs: s.ewmaMs })),
      inFlight,
      queueDepth: queue.depth(),
      proofs: { pending: counts.pending, proven: counts.proven, submitted: counts.submitted, failed: counts.failed, abandoned: counts.abandoned },
      uptimeMs: Date.now() - startedAtMs,
      gossip: opts.gossip ? opts.gossip() : null,
    };
    return health;
  });

  const StageSummary = Type.Object(
    {
      jobId: Type.String(),
      stage: Type.Integer(),
      model: Type.String(),
      status: Type.Enum([...STAGE_STATUSES]),
      attempts: Type.Integer(),
      lastError: Type.Union([Type.String(), Type.Null()]),
      txHash: Type.Union([Type.String(), Type.Null()]),
      receivedAtMs: Type.Number(),
      updatedAtMs: Type.Number(),
    },
    { additionalProperties: false },
  );
  app.get(
    "/v1/stages",
    {
      schema: {
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ stages: Type.Array(StageSummary) }, { additionalProperties: false }), 400: ApiErrorSchema },
      },
    },
    async (request) => ({
      stages: store.list({ limit: request.query.limit ?? 100 }).map((r) => ({
        jobId: r.jobId,
        stage: r.stage,
        model: r.modelName,
        status: r.status,
        attempts: r.attempts,
        lastError: r.lastError,
        txHash: r.txHash,
        receivedAtMs: r.receivedAtMs,
        updatedAtMs: r.updatedAtMs,
      })),
    }),
  );

  app.get(
    "/v1/artifacts/:sha256",
    { schema: { params: Type.Object({ sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }) }), response: { 400: ApiErrorSchema, 404: ApiErrorSchema } } },
    async (request, reply) => {
      const a = shards.artifacts.get(request.params.sha256);
      if (!a) throw new NodeApiError(404, "ARTIFACT_NOT_FOUND", `this node does not hold artefact ${request.params.sha256}`);
      void reply.header("content-type", "application/octet-stream").header("content-length", String(a.bytes)).header("cache-control", "public, max-age=31536000, immutable");
      return reply.send(createReadStream(a.path) as never);
    },
  );

  app.get("/metrics", { schema: { response: { 200: Type.String() } } }, async (_request, reply) => {
    void reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};

/**
 * fastify `frameworkErrors` of the node's server (server.ts): a bad percent-encoding or an
 * over-long path parameter is a 400 ApiError too (fastify's own body otherwise; never echo the URL).
 */
export function nodeFrameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const known = err.code === "FST_ERR_BAD_URL" || err.code === "FST_ERR_MAX_PARAM_LENGTH";
  const status = known ? 400 : 500;
  const message = err.code === "FST_ERR_BAD_URL" ? "the URL path is not valid (bad percent-encoding)" : known ? "a URL path parameter is too long" : "internal error";
  void reply.status(status).send({ statusCode: status, code: known ? "BAD_REQUEST" : "INTERNAL", error: STATUS_TEXT[status], message });
}

export default nodeApp as FastifyPluginAsync<NodeAppOptions>;
export { nodeApp };
