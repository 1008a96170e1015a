/**
 * Wire messages: the ONE module where everything that crosses a process boundary (gossip today,
 * node/coordinator HTTP bodies later) is typed and validated.
 *
 * Pattern for every message `X` (Petals style: schema first, parse at the edge, typed inside):
 *   - `XSchema`  a TypeBox schema (plain JSON Schema, reusable by fastify / swagger),
 *   - `X`        the TypeScript type the rest of the code works with,
 *   - `parseX(raw): X` accepting bytes (UTF-8 JSON), a JSON string or an already decoded value;
 *     throws {@link WireValidationError} with a specific message (`Heartbeat/rttMs/3/rttMs: ...`).
 *   Add new messages with {@link createWireParser}; semantic checks that JSON Schema cannot
 *   express (checksums, fixed-point grids, URLs, duplicates) go in its `refine` step.
 *
 * Conventions: units in field names (`Ms`, `Bytes`); on-chain ids use the contract's width
 * (`clusterId` uint32 and `shard` uint8 as JSON numbers, `modelId` bytes32 as 0x-hex);
 * addresses are 0x-hex (any case on the wire; a mixed-case address must be a valid EIP-55
 * checksum) and are returned checksummed; every array and string is bounded.
 */
import { Type, type Static, type TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { getAddress, isAddress, zeroAddress, type Address, type Hex } from "viem";

// ---------------------------------------------------------------------------------------------
// Errors

/** A wire message failed validation. `path` is a JSON pointer into the message ("" = root). */
export class WireValidationError extends Error {
  override name = "WireValidationError";
  /** Which message was being parsed, e.g. "Heartbeat". */
  readonly messageName: string;
  /** JSON pointer of the offending value, e.g. "/rttMs/3/rttMs"; "" for the whole message. */
  readonly path: string;
  /** The message without the `messageName + path` prefix. */
  readonly shortMessage: string;

  constructor(shortMessage: string, options: { messageName: string; path?: string; cause?: unknown }) {
    const path = options.path ?? "";
    super(`${options.messageName}${path}: ${shortMessage}`, { cause: options.cause });
    this.messageName = options.messageName;
    this.path = path;
    this.shortMessage = shortMessage;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared primitives (reuse these in new messages)

export const UINT8_MAX = 255;
export const UINT32_MAX = 4_294_967_295;

/** 20-byte hex address, 0x-prefixed, any case (checksum checked in `refine`, see {@link refineAddress}). */
export const WireAddress = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });
/** 32-byte hex value (e.g. a modelId), 0x-prefixed. */
export const WireBytes32 = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" });
/** 65-byte secp256k1 signature (r ‖ s ‖ v), 0x-prefixed hex. */
export const WireSignature65 = Type.String({ pattern: "^0x[0-9a-fA-F]{130}$" });
/** Unsigned integer in [0, maximum] (default: safe integer range; JSON numbers above 2^53 are lossy). */
export const WireUint = (maximum: number = Number.MAX_SAFE_INTEGER) => Type.Integer({ minimum: 0, maximum });
/** libp2p peer id as printed by `peerId.toString()` (base58btc, e.g. "12D3KooW..."). */
export const WirePeerId = Type.String({ minLength: 1, maxLength: 128, pattern: "^[1-9A-HJ-NP-Za-km-z]+$" });

// ---------------------------------------------------------------------------------------------
// Parser factory

export type WireParser<T> = (raw: unknown) => T;

export type RefineContext = {
  /** Throw a {@link WireValidationError} for `path` (JSON pointer) with `shortMessage`. */
  fail(path: string, shortMessage: string): never;
};

export type CreateWireParserParameters<S extends TSchema, T> = {
  /** Message name used in error messages, e.g. "Heartbeat". */
  name: string;
  schema: S;
  /** Maximum encoded size (bytes) when given bytes or a string. */
  maxBytes: number;
  /** Semantic checks and normalisation after the schema passed; throw via `ctx.fail`. */
  refine?: (value: Static<S>, ctx: RefineContext) => T;
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** Builds `parseX(raw)`: size limit → UTF-8 → JSON → schema → refine. */
export function createWireParser<S extends TSchema, T = Static<S>>(
  parameters: CreateWireParserParameters<S, T>,
): WireParser<T> {
  const { name, schema, maxBytes, refine } = parameters;
  const validator = Compile(schema);
  const ctx: RefineContext = {
    fail(path, shortMessage) {
      throw new WireValidationError(shortMessage, { messageName: name, path });
    },
  };
  return (raw: unknown): T => {
    let value: unknown = raw;
    if (raw instanceof Uint8Array || typeof raw === "string") {
      const byteLength = typeof raw === "string" ? utf8Encoder.encode(raw).byteLength : raw.byteLength;
      if (byteLength > maxBytes) ctx.fail("", `message is ${byteLength} bytes, at most ${maxBytes} allowed`);
      let text: string;
      if (typeof raw === "string") text = raw;
      else {
        try {
          text = utf8.decode(raw);
        } catch (cause) {
          throw new WireValidationError("not valid UTF-8", { messageName: name, cause });
        }
      }
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new WireValidationError("not valid JSON", { messageName: name, cause });
      }
    }
    if (!validator.Check(value)) {
      const errors = validator.Errors(value);
      const first = pickError(errors);
      throw new WireValidationError(first ? describe(first) : "does not match schema", {
        messageName: name,
        path: first?.instancePath ?? "",
        cause: errors,
      });
    }
    return refine ? refine(value as Static<S>, ctx) : (value as T);
  };
}

type SchemaError = ReturnType<ReturnType<typeof Compile>["Errors"]>[number];

/** The most specific error: prefer errors deeper in the value, skip anyOf/boolean summaries. */
function pickError(errors: SchemaError[]): SchemaError | undefined {
  const useful = errors.filter((e) => e.keyword !== "boolean" && e.keyword !== "anyOf");
  const pool = useful.length > 0 ? useful : errors;
  return pool.slice().sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
}

function describe(e: SchemaError): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown field(s): ${(p.additionalProperties as string[]).join(", ")}`;
    case "required":
      return `missing field(s): ${(p.requiredProperties as string[]).join(", ")}`;
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case "maxItems":
      return `too many items (at most ${String(p.limit)})`;
    case "maxLength":
      return `too long (at most ${String(p.limit)} characters)`;
    case "minLength":
      return `too short (at least ${String(p.limit)} characters)`;
    case "maximum":
      return `must be <= ${String(p.limit)}`;
    case "minimum":
      return `must be >= ${String(p.limit)}`;
    case "pattern":
      return `has the wrong format (must match ${String(p.pattern)})`;
    case "type":
      return `must be ${String(p.type)}${p.type === "number" || p.type === "integer" ? " (finite)" : ""}`;
    default:
      return e.message;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared refinements

/** Rejects mixed-case addresses with a bad EIP-55 checksum; returns the checksummed address. */
export function refineAddress(value: string, path: string, ctx: RefineContext): Address {
  if (!isAddress(value, { strict: false })) ctx.fail(path, "not an address");
  const hex = value.slice(2);
  const mixedCase = hex !== hex.toLowerCase() && hex !== hex.toUpperCase();
  if (mixedCase && !isAddress(value, { strict: true })) ctx.fail(path, "invalid EIP-55 checksum");
  return getAddress(value);
}

/** A node's HTTP(S) endpoint: a parseable http(s) URL without credentials. */
export function refineEndpoint(value: string, path: string, ctx: RefineContext): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    ctx.fail(path, "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") ctx.fail(path, "must be http(s)");
  if (url.username !== "" || url.password !== "") ctx.fail(path, "must not contain credentials");
  return url;
}

/**
 * Fixed-point grids. Signed (EIP-712) integers must map one-to-one to wire numbers, otherwise
 * a relay could change the low digits of a float without breaking the signature. So the wire
 * only accepts values on the grid, and the signer sees the integer count of grid steps.
 */
export const LOAD_SCALE = 1_000_000; // load in parts per million
export const MS_SCALE = 1_000; // milliseconds with microsecond resolution

/** `value * scale` if that is an integer (value is exactly on the grid), else undefined. */
export function toFixedPoint(value: number, scale: number): number | undefined {
  const steps = Math.round(value * scale);
  return steps / scale === value ? steps : undefined;
}

/** Rounds to the grid (what a publisher does before signing). */
export function quantize(value: number, scale: number): number {
  return Math.round(value * scale) / scale;
}

// ---------------------------------------------------------------------------------------------
// Gossip heartbeat (topic `proofmesh/<chainId>/cluster/<clusterId>/heartbeat/1`)

export const HEARTBEAT_VERSION = 1;

export const HeartbeatLimits = {
  /** Encoded JSON size. The fullest legal heartbeat is ~25 KiB. */
  maxBytes: 32 * 1024,
  maxComputeEntries: 64,
  maxRttEntries: 64,
  maxServedShards: 64,
  /** Same as StakeRegistry.MAX_ENDPOINT_LENGTH. */
  maxEndpointLength: 256,
  maxInFlight: 1_000_000,
  maxQueueDepth: 1_000_000,
  maxEwmaMs: 3_600_000,
  maxRttMs: 60_000,
} as const;

export type Backend = "native" | "wasm";

/** EWMA of the compute time of one shard on this node. */
export type ShardEwma = {
  modelId: Hex;
  shard: number;
  /** Milliseconds, microsecond grid (multiple of 0.001). */
  ewmaMs: number;
};

/** RTT from this node to another node it is connected to. */
export type PeerRtt = {
  nodeAddress: Address;
  /** Milliseconds, microsecond grid (multiple of 0.001). */
  rttMs: number;
};

/** A (model, shard) this node serves. */
export type ShardRef = {
  modelId: Hex;
  shard: number;
};

/**
 * A node's signed health beacon, gossiped every few seconds on its cluster's topic.
 *
 * `signature` is an EIP-712 signature (domain {name:"ProofMesh Gossip", version:"1", chainId})
 * by `nodeAddress` — the node's registered signing key (StakeRegistry `signer`) — over every
 * other field (see `node/gossip/sign.ts`).
 */
export type Heartbeat = {
  version: typeof HEARTBEAT_VERSION;
  /** Chain the node is registered on; also in the EIP-712 domain (no cross-chain replay). */
  chainId: number;
  /** Registered signing key of the node; must equal the signature's signer. */
  nodeAddress: Address;
  /** Operator (staker) address, informational; never the zero address. */
  operator?: Address;
  /** The node's libp2p peer id; must equal the gossip message's `from` (no re-origination). */
  peerId: string;
  /** On-chain cluster id (uint32). */
  clusterId: number;
  /** Strictly increasing per node (publishers use max(last + 1, unix ms) so it survives restarts). */
  seq: number;
  /** Sender's wall clock, unix milliseconds. */
  sentAtMs: number;
  /** CPU load in [0, 1], multiple of 1e-6. */
  load: number;
  inFlight: number;
  queueDepth: number;
  computeEwmaMs: ShardEwma[];
  rttMs: PeerRtt[];
  backend: Backend;
  /** HTTP(S) URL of the node's API, no credentials. */
  endpoint: string;
  servedShards: ShardRef[];
  signature: Hex;
};

export type UnsignedHeartbeat = Omit<Heartbeat, "signature">;

const ShardEwmaSchema = Type.Object(
  {
    modelId: WireBytes32,
    shard: WireUint(UINT8_MAX),
    ewmaMs: Type.Number({ minimum: 0, maximum: HeartbeatLimits.maxEwmaMs }),
  },
  { additionalProperties: false },
);

const PeerRttSchema = Type.Object(
  {
    nodeAddress: WireAddress,
    rttMs: Type.Number({ minimum: 0, maximum: HeartbeatLimits.maxRttMs }),
  },
  { additionalProperties: false },
);

const ShardRefSchema = Type.Object(
  { modelId: WireBytes32, shard: WireUint(UINT8_MAX) },
  { additionalProperties: false },
);

export const HeartbeatSchema = Type.Object(
  {
    version: Type.Literal(HEARTBEAT_VERSION),
    chainId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    nodeAddress: WireAddress,
    operator: Type.Optional(WireAddress),
    peerId: WirePeerId,
    clusterId: WireUint(UINT32_MAX),
    seq: WireUint(),
    sentAtMs: WireUint(),
    load: Type.Number({ minimum: 0, maximum: 1 }),
    inFlight: WireUint(HeartbeatLimits.maxInFlight),
    queueDepth: WireUint(HeartbeatLimits.maxQueueDepth),
    computeEwmaMs: Type.Array(ShardEwmaSchema, { maxItems: HeartbeatLimits.maxComputeEntries }),
    rttMs: Type.Array(PeerRttSchema, { maxItems: HeartbeatLimits.maxRttEntries }),
    backend: Type.Enum(["native", "wasm"]),
    endpoint: Type.String({ minLength: 1, maxLength: HeartbeatLimits.maxEndpointLength }),
    servedShards: Type.Array(ShardRefSchema, { maxItems: HeartbeatLimits.maxServedShards }),
    signature: WireSignature65,
  },
  { additionalProperties: false },
);

// Compile-time guard: the hand-written type and the schema describe the same shape.
type AssertAssignable<A extends B, B> = A;
export type _HeartbeatMatchesSchema = AssertAssignable<Heartbeat, Static<typeof HeartbeatSchema>>;

function refineHeartbeat(v: Static<typeof HeartbeatSchema>, ctx: RefineContext): Heartbeat {
  const nodeAddress = refineAddress(v.nodeAddress, "/nodeAddress", ctx);
  let operator: Address | undefined;
  if (v.operator !== undefined) {
    operator = refineAddress(v.operator, "/operator", ctx);
    if (operator === zeroAddress) ctx.fail("/operator", "must not be the zero address (omit it instead)");
  }
  if (toFixedPoint(v.load, LOAD_SCALE) === undefined) ctx.fail("/load", "must be a multiple of 1e-6");

  refineEndpoint(v.endpoint, "/endpoint", ctx);

  const seenEwma = new Set<string>();
  const computeEwmaMs = v.computeEwmaMs.map((e, i) => {
    if (toFixedPoint(e.ewmaMs, MS_SCALE) === undefined) ctx.fail(`/computeEwmaMs/${i}/ewmaMs`, "must be a multiple of 0.001");
    const key = `${e.modelId.toLowerCase()}:${e.shard}`;
    if (seenEwma.has(key)) ctx.fail(`/computeEwmaMs/${i}`, "duplicate (modelId, shard)");
    seenEwma.add(key);
    return { modelId: e.modelId.toLowerCase() as Hex, shard: e.shard, ewmaMs: e.ewmaMs };
  });

  const seenPeers = new Set<string>();
  const rttMs = v.rttMs.map((r, i) => {
    const peer = refineAddress(r.nodeAddress, `/rttMs/${i}/nodeAddress`, ctx);
    if (peer === nodeAddress) ctx.fail(`/rttMs/${i}/nodeAddress`, "must not be the node itself");
    if (seenPeers.has(peer)) ctx.fail(`/rttMs/${i}/nodeAddress`, "duplicate peer");
    seenPeers.add(peer);
    if (toFixedPoint(r.rttMs, MS_SCALE) === undefined) ctx.fail(`/rttMs/${i}/rttMs`, "must be a multiple of 0.001");
    return { nodeAddress: peer, rttMs: r.rttMs };
  });

  const seenShards = new Set<string>();
  const servedShards = v.servedShards.map((s, i) => {
    const key = `${s.modelId.toLowerCase()}:${s.shard}`;
    if (seenShards.has(key)) ctx.fail(`/servedShards/${i}`, "duplicate (modelId, shard)");
    seenShards.add(key);
    return { modelId: s.modelId.toLowerCase() as Hex, shard: s.shard };
  });

  const out: Heartbeat = {
    version: v.version,
    chainId: v.chainId,
    nodeAddress,
    peerId: v.peerId,
    clusterId: v.clusterId,
    seq: v.seq,
    sentAtMs: v.sentAtMs,
    load: v.load,
    inFlight: v.inFlight,
    queueDepth: v.queueDepth,
    computeEwmaMs,
    rttMs,
    backend: v.backend,
    endpoint: v.endpoint,
    servedShards,
    signature: v.signature as Hex,
  };
  if (operator !== undefined) out.operator = operator;
  return out;
}

/** Parses and validates a heartbeat (bytes, JSON string or decoded value). Does NOT check the signature. */
export const parseHeartbeat: WireParser<Heartbeat> = createWireParser({
  name: "Heartbeat",
  schema: HeartbeatSchema,
  maxBytes: HeartbeatLimits.maxBytes,
  refine: refineHeartbeat,
});

/** UTF-8 JSON bytes of a heartbeat, as gossiped. */
export function encodeHeartbeat(heartbeat: Heartbeat): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(heartbeat));
}

// ---------------------------------------------------------------------------------------------
// HTTP: node stage execution (POST {nodeEndpoint}/v1/stages/execute)
//
// The coordinator calls the node of stage k with the remaining route; that node runs its shard
// and forwards its output to stage k+1's first live candidate (falling back to the next
// candidate on failure or timeout), so activations cross each hop once. The answer (last
// shard's logits and result) travels back along the chain with one trace entry per stage.
// A node records every stage it executed (jobId, stage, input) before answering, so it can
// prove it once the job is assigned on chain.

/** uint256 as a canonical decimal string (job ids, token amounts, field elements). */
export const WireDecimal = Type.String({ pattern: "^(0|[1-9][0-9]{0,77})$" });
/** Integer activations (uint8) or logits (signed; |v| < 2^48) bounds. */
export const StageLimits = {
  maxActivations: 4096,
  maxStages: 16,
  maxCandidates: 8,
  maxLogitAbs: 2 ** 48,
  maxTimeoutMs: 120_000,
  maxBytes: 256 * 1024,
} as const;

export const RouteCandidateSchema = Type.Object(
  {
    /** StakeRegistry node id (uint32) */
    nodeId: WireUint(UINT32_MAX),
    /** the node's operator address (the on-chain identity that proves and is paid) */
    address: WireAddress,
    endpoint: Type.String({ minLength: 1, maxLength: HeartbeatLimits.maxEndpointLength, pattern: "^https?://" }),
  },
  { additionalProperties: false },
);
export type RouteCandidate = Static<typeof RouteCandidateSchema>;

export const RouteHopSchema = Type.Object(
  {
    stage: WireUint(UINT8_MAX),
    /** in order of preference; the first is the planned node, the rest are fallbacks */
    candidates: Type.Array(RouteCandidateSchema, { minItems: 1, maxItems: StageLimits.maxCandidates }),
  },
  { additionalProperties: false },
);
export type RouteHop = Static<typeof RouteHopSchema>;

export const StageExecuteRequestSchema = Type.Object(
  {
    jobId: WireDecimal,
    modelId: WireBytes32,
    stage: WireUint(UINT8_MAX),
    /** the shard's input activations (stage 0: raw pixels), integers in [0, 255] */
    input: Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { minItems: 1, maxItems: StageLimits.maxActivations }),
    /** downstream stages (stage+1 …), empty when this is the last stage */
    route: Type.Array(RouteHopSchema, { maxItems: StageLimits.maxStages }),
    /** time budget for this stage and everything downstream */
    timeoutMs: Type.Integer({ minimum: 1, maximum: StageLimits.maxTimeoutMs }),
  },
  { additionalProperties: false },
);
export type StageExecuteRequest = Static<typeof StageExecuteRequestSchema>;

export const StageTraceSchema = Type.Object(
  {
    stage: WireUint(UINT8_MAX),
    nodeId: WireUint(UINT32_MAX),
    address: WireAddress,
    /** shard inference time on the node */
    computeMs: Type.Number({ minimum: 0 }),
    /** wall time at this node from request received to response sent (includes downstream) */
    totalMs: Type.Number({ minimum: 0 }),
    backend: Type.Enum(["native", "wasm"]),
    /** downstream candidates that failed before this stage's successor answered */
    failedCandidates: Type.Array(Type.Object({ nodeId: WireUint(UINT32_MAX), error: Type.String({ maxLength: 512 }) }, { additionalProperties: false }), {
      maxItems: StageLimits.maxCandidates,
    }),
  },
  { additionalProperties: false },
);
export type StageTrace = Static<typeof StageTraceSchema>;

export const StageExecuteResponseSchema = Type.Object(
  {
    jobId: WireDecimal,
    modelId: WireBytes32,
    /** output of the LAST shard of the pipeline (logits) */
    output: Type.Array(Type.Integer({ minimum: -StageLimits.maxLogitAbs, maximum: StageLimits.maxLogitAbs }), { maxItems: StageLimits.maxActivations }),
    /** argmax of the logits (the model's answer) */
    result: Type.Integer({ minimum: 0, maximum: StageLimits.maxActivations }),
    /** one entry per stage executed, in stage order, starting with the stage that was called */
    stages: Type.Array(StageTraceSchema, { minItems: 1, maxItems: StageLimits.maxStages }),
  },
  { additionalProperties: false },
);
export type StageExecuteResponse = Static<typeof StageExecuteResponseSchema>;

/** Error body of every ProofMesh HTTP API (node and coordinator): a stable code and a specific message. */
export const ApiErrorSchema = Type.Object(
  {
    statusCode: Type.Integer(),
    /** stable, machine-readable, e.g. "BAD_SIGNATURE", "NOT_ASSIGNED", "UNKNOWN_MODEL" */
    code: Type.String({ maxLength: 64 }),
    error: Type.String({ maxLength: 64 }),
    message: Type.String({ maxLength: 2048 }),
  },
  { additionalProperties: true },
);
export type ApiError = Static<typeof ApiErrorSchema>;

export const parseStageExecuteRequest: WireParser<StageExecuteRequest> = createWireParser({
  name: "StageExecuteRequest",
  schema: StageExecuteRequestSchema,
  maxBytes: StageLimits.maxBytes,
  refine: (v, ctx) => {
    if (BigInt(v.jobId) >= 1n << 256n) ctx.fail("/jobId", "must be < 2^256 (a uint256)");
    v.route.forEach((hop, i) => {
      if (hop.stage !== v.stage + 1 + i) ctx.fail(`/route/${i}/stage`, `must be ${v.stage + 1 + i} (stages follow each other)`);
      hop.candidates.forEach((c, j) => {
        refineAddress(c.address, `/route/${i}/candidates/${j}/address`, ctx);
        refineEndpoint(c.endpoint, `/route/${i}/candidates/${j}/endpoint`, ctx); // else: executed, stored, then 502
      });
    });
    return v;
  },
});
export const parseStageExecuteResponse: WireParser<StageExecuteResponse> = createWireParser({
  name: "StageExecuteResponse",
  schema: StageExecuteResponseSchema,
  maxBytes: StageLimits.maxBytes,
});

// ---------------------------------------------------------------------------------------------
// HTTP: coordinator job API (for dApps) — POST {coordinator}/v1/jobs
//
// The dApp signs the EIP-712 JobRequest of the JobMarket (domain "ProofMesh JobMarket" v1,
// see deploy/jobs.ts) and sends it with its input. jobId = uint256(dApp) << 64 | nonce, known
// before anything is on chain; submissions are idempotent on (dApp, nonce).

export const JobRequestSchema = Type.Object(
  {
    dApp: WireAddress,
    modelId: WireBytes32,
    /** Poseidon commitment of the input (prover/commit.ts commitValues(input, 8)), < r */
    inputCommitment: WireDecimal,
    /** token units (uint128) */
    maxFee: WireDecimal,
    /** unix seconds (uint64) */
    deadline: WireDecimal,
    /** uint64 */
    nonce: WireDecimal,
    clusterId: WireUint(UINT32_MAX),
  },
  { additionalProperties: false },
);
export type WireJobRequest = Static<typeof JobRequestSchema>;

export const JobSubmissionSchema = Type.Object(
  {
    request: JobRequestSchema,
    signature: WireSignature65,
    /** the model input: 784 raw pixels, integers in [0, 255] */
    input: Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { minItems: 1, maxItems: StageLimits.maxActivations }),
  },
  { additionalProperties: false },
);
export type JobSubmission = Static<typeof JobSubmissionSchema>;

export const JobStatusValues = ["answered", "assigned", "proving", "settled", "expired", "failed"] as const;
export type JobStatusValue = (typeof JobStatusValues)[number];

export const RouteStageSchema = Type.Object(
  {
    stage: WireUint(UINT8_MAX),
    nodeId: WireUint(UINT32_MAX),
    address: WireAddress,
    predictedMs: Type.Number({ minimum: 0 }),
    observedComputeMs: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** The fast-path answer (tentative until the proofs settle on chain). */
export const JobAnswerSchema = Type.Object(
  {
    jobId: WireDecimal,
    status: Type.Enum([...JobStatusValues]),
    /** the model's answer (argmax), from the pipeline; confirmed on chain when settled */
    result: Type.Integer({ minimum: 0 }),
    logits: Type.Array(Type.Integer()),
    /** true until the chain has verified every stage's proof */
    tentative: Type.Boolean(),
    /** coordinator receive → answer */
    fastPathMs: Type.Number({ minimum: 0 }),
    route: Type.Array(RouteStageSchema),
  },
  { additionalProperties: false },
);
export type JobAnswer = Static<typeof JobAnswerSchema>;

export const parseJobSubmission: WireParser<JobSubmission> = createWireParser({
  name: "JobSubmission",
  schema: JobSubmissionSchema,
  maxBytes: StageLimits.maxBytes,
  refine: (v, ctx) => {
    refineAddress(v.request.dApp, "/request/dApp", ctx);
    return v;
  },
});

// ---------------------------------------------------------------------------------------------
// HTTP: node health (GET {nodeEndpoint}/v1/health) — added by the node (issue 4)
//
// Liveness and what the node serves, for the coordinator's probes and `proofmesh node status`.
// `status: "draining"` while a graceful shutdown is in progress (new stages are refused).

export const NodeHealthSchema = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("draining")]),
    version: Type.String({ maxLength: 64 }),
    chainId: WireUint(),
    nodeId: WireUint(UINT32_MAX),
    operator: WireAddress,
    signer: WireAddress,
    clusterId: WireUint(UINT32_MAX),
    endpoint: Type.String({ maxLength: HeartbeatLimits.maxEndpointLength }),
    backend: Type.Union([Type.Literal("native"), Type.Literal("wasm")]),
    servedShards: Type.Array(
      Type.Object(
        { modelId: WireBytes32, model: Type.String({ maxLength: 128 }), shard: WireUint(UINT8_MAX), ewmaMs: Type.Number({ minimum: 0 }) },
        { additionalProperties: false },
      ),
      { maxItems: HeartbeatLimits.maxServedShards },
    ),
    inFlight: WireUint(),
    /** stages waiting to be proven or submitted */
    queueDepth: WireUint(),
    proofs: Type.Object(
      { pending: WireUint(), proven: WireUint(), submitted: WireUint(), failed: WireUint(), abandoned: WireUint() },
      { additionalProperties: false },
    ),
    uptimeMs: Type.Number({ minimum: 0 }),
    gossip: Type.Union([
      Type.Null(),
      Type.Object(
        {
          peerId: Type.String({ maxLength: 128 }),
          multiaddrs: Type.Array(Type.String({ maxLength: 512 }), { maxItems: 16 }),
          peers: WireUint(),
          accepted: WireUint(),
          dropped: WireUint(),
        },
        { additionalProperties: false },
      ),
    ]),
  },
  { additionalProperties: false },
);
export type NodeHealth = Static<typeof NodeHealthSchema>;
export const parseNodeHealth: WireParser<NodeHealth> = createWireParser({ name: "NodeHealth", schema: NodeHealthSchema, maxBytes: 64 * 1024 });
// ---------------------------------------------------------------------------------------------
