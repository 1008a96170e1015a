/**
 * What the SDK expects from the coordinator's HTTP API, as TypeBox schemas. Every response is
 * validated here before the SDK uses it (the coordinator is another party: parse at the edge).
 * Objects allow extra fields (forward compatible); required fields and their formats are strict.
 */
import { Type, type Static, type TSchema } from "typebox";
import { Compile } from "typebox/compile";

import { ProofMeshResponseError } from "./errors.ts";

export const Decimal = Type.String({ pattern: "^(0|[1-9][0-9]{0,77})$" });
export const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });
export const Bytes32 = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" });
export const TxHash = Bytes32;
export const Signature65 = Type.String({ pattern: "^0x[0-9a-fA-F]{130}$" });
/** A block number as a JSON number or a decimal string. */
export const BlockNumber = Type.Union([Type.Integer({ minimum: 0 }), Decimal]);
/** sha256 hex, with or without 0x. */
export const Sha256Hex = Type.String({ pattern: "^(0x)?[0-9a-fA-F]{64}$" });

const open = { additionalProperties: true } as const;

export const ApiErrorBodySchema = Type.Object(
  { statusCode: Type.Integer(), code: Type.String({ maxLength: 64 }), error: Type.Optional(Type.String()), message: Type.String() },
  open,
);
export type ApiErrorBody = Static<typeof ApiErrorBodySchema>;

export const JobStatusValues = ["answered", "assigned", "proving", "settled", "expired", "failed"] as const;
export type JobStatusValue = (typeof JobStatusValues)[number];

export const RouteStageSchema = Type.Object(
  {
    stage: Type.Integer({ minimum: 0, maximum: 255 }),
    nodeId: Type.Integer({ minimum: 0 }),
    address: Address,
    predictedMs: Type.Optional(Type.Number({ minimum: 0 })),
    observedComputeMs: Type.Optional(Type.Number({ minimum: 0 })),
  },
  open,
);

/** POST /v1/jobs → the fast-path answer (tentative until the proofs settle). */
export const JobAnswerSchema = Type.Object(
  {
    jobId: Decimal,
    status: Type.Enum([...JobStatusValues]),
    result: Type.Integer({ minimum: 0 }),
    logits: Type.Array(Type.Integer()),
    tentative: Type.Boolean(),
    fastPathMs: Type.Number({ minimum: 0 }),
    route: Type.Array(RouteStageSchema),
  },
  open,
);
export type JobAnswer = Static<typeof JobAnswerSchema>;

/** GET /v1/jobs/:jobId → status; the answer fields once known. */
export const JobStatusResponseSchema = Type.Object(
  {
    jobId: Decimal,
    status: Type.Enum([...JobStatusValues]),
    result: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0 })])),
    logits: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.Integer())])),
    tentative: Type.Optional(Type.Boolean()),
    fastPathMs: Type.Optional(Type.Union([Type.Null(), Type.Number({ minimum: 0 })])),
  },
  open,
);
export type JobStatusResponse = Static<typeof JobStatusResponseSchema>;

export const G1Schema = Type.Array(Decimal, { minItems: 3, maxItems: 3 });
export const Fp2Schema = Type.Array(Decimal, { minItems: 2, maxItems: 2 });
export const G2Schema = Type.Array(Fp2Schema, { minItems: 3, maxItems: 3 });

export const ProofSchema = Type.Object(
  {
    pi_a: G1Schema,
    pi_b: G2Schema,
    pi_c: G1Schema,
    protocol: Type.Optional(Type.Literal("groth16")),
    curve: Type.Optional(Type.Literal("bn128")),
  },
  open,
);
export type TraceProof = Static<typeof ProofSchema>;

export const VkeySchema = Type.Object(
  {
    protocol: Type.Literal("groth16"),
    curve: Type.Literal("bn128"),
    nPublic: Type.Integer({ minimum: 1, maximum: 64 }),
    vk_alpha_1: G1Schema,
    vk_beta_2: G2Schema,
    vk_gamma_2: G2Schema,
    vk_delta_2: G2Schema,
    IC: Type.Array(G1Schema, { minItems: 2, maxItems: 65 }),
  },
  open,
);
export type Vkey = Static<typeof VkeySchema>;
/** GET /v1/models/:modelId/shards/:k/vkey → the snarkjs vkey JSON, bare or wrapped as `{ vkey, vkeyId? }`. */
export const VkeyResponseSchema = Type.Union([VkeySchema, Type.Object({ vkey: VkeySchema, vkeyId: Type.Optional(Sha256Hex) }, open)]);

export const TraceRequestSchema = Type.Object(
  {
    dApp: Address,
    modelId: Bytes32,
    inputCommitment: Decimal,
    maxFee: Decimal,
    deadline: Decimal,
    nonce: Decimal,
    clusterId: Type.Integer({ minimum: 0, maximum: 4_294_967_295 }),
  },
  open,
);

const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);

export const TraceStageSchema = Type.Object(
  {
    stage: Type.Integer({ minimum: 0, maximum: 255 }),
    /** assigned node (null until assigned) */
    nodeId: Nullable(Type.Integer({ minimum: 0, maximum: 4_294_967_295 })),
    /** the prover bound into the proof (the node's operator); the coordinator may name it `prover`, `operator` and/or `address` */
    prover: Type.Optional(Nullable(Address)),
    operator: Type.Optional(Nullable(Address)),
    address: Type.Optional(Nullable(Address)),
    /** the shard's verifier contract (ModelRegistry) */
    verifier: Type.Optional(Nullable(Address)),
    /** sha256 of the shard's vkey JSON file */
    vkeyId: Nullable(Sha256Hex),
    /** null until the stage is proven */
    proof: Nullable(ProofSchema),
    /** [inCommit, outCommit, binding, result], decimal strings; null until proven */
    publicSignals: Nullable(Type.Array(Decimal, { minItems: 4, maxItems: 4 })),
    /** the StageProven transaction */
    txHash: Nullable(TxHash),
    blockNumber: Type.Optional(Nullable(BlockNumber)),
    paid: Type.Optional(Nullable(Decimal)),
  },
  open,
);
export type TraceStage = Static<typeof TraceStageSchema>;

/**
 * GET /v1/explorer/jobs/:jobId → everything needed to re-verify the job offline.
 * Matches coordinator/schemas.ts JobTraceSchema (the fields the auditor uses).
 */
export const JobTraceSchema = Type.Object(
  {
    jobId: Decimal,
    modelId: Bytes32,
    status: Type.String({ maxLength: 32 }),
    chainId: Type.Optional(Type.Integer({ minimum: 1 })),
    jobMarket: Type.Optional(Address),
    /** the signed request (null if the coordinator never saw it, e.g. a job created directly on chain) */
    request: Nullable(TraceRequestSchema),
    signature: Nullable(Signature65),
    route: Type.Optional(Type.Unknown()),
    creation: Type.Optional(Nullable(Type.Object({ txHash: TxHash, blockNumber: Type.Optional(BlockNumber) }, open))),
    assignment: Nullable(
      Type.Object({ txHash: TxHash, blockNumber: Type.Optional(BlockNumber), nodeIds: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 16 }) }, open),
    ),
    stages: Type.Array(TraceStageSchema, { maxItems: 16 }),
    settlement: Nullable(
      Type.Object(
        {
          txHash: TxHash,
          blockNumber: Type.Optional(BlockNumber),
          result: Type.Union([Type.Integer({ minimum: 0 }), Decimal]),
          coordinatorFee: Type.Optional(Decimal),
          fee: Type.Optional(Decimal),
        },
        open,
      ),
    ),
  },
  open,
);
export type JobTrace = Static<typeof JobTraceSchema>;

// ---------------------------------------------------------------------------------------------
// Ceremony API (coordinator: POST /v1/ceremonies, GET /v1/ceremonies/:model, …; .proofmesh/CEREMONY-DESIGN.md)

export const CeremonyStatusValues = ["contributing", "ready", "failed", "registered"] as const;
export type CeremonyStatus = (typeof CeremonyStatusValues)[number];
export const ContributorStatusValues = ["done", "skipped", "current", "waiting"] as const;
export type ContributorStatus = (typeof ContributorStatusValues)[number];

/** blake2b-512 contribution hash as snarkjs prints it: 128 lowercase hex characters, no 0x. */
export const ContributionHashHex = Type.String({ pattern: "^[0-9a-f]{128}$" });
/** An ISO time or epoch milliseconds. */
const Time = Type.Union([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0 })]);

/** prover/ceremony/record.ts ContributionRecord as the API serves it. */
export const CeremonyContributionSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0, maximum: 1000 }),
    operator: Address,
    name: Type.String({ maxLength: 256 }),
    shardHashes: Type.Array(ContributionHashHex, { minItems: 1, maxItems: 12 }),
    transcriptHash: Bytes32,
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]{130}$" }),
    at: Type.Optional(Nullable(Time)),
    ms: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  },
  open,
);
export type CeremonyContribution = Static<typeof CeremonyContributionSchema>;

/** GET /v1/ceremonies/:model */
export const CeremonySchema = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 128 }),
    modelId: Bytes32,
    status: Type.Enum([...CeremonyStatusValues]),
    ptauSha256: Sha256Hex,
    beaconBlock: BlockNumber,
    contributorTimeoutMs: Type.Integer({ minimum: 0 }),
    startedAt: Type.Optional(Nullable(Time)),
    contributors: Type.Array(
      Type.Object({ address: Address, status: Type.Enum([...ContributorStatusValues]), deadline: Type.Optional(Nullable(Time)) }, open),
      { maxItems: 1000 },
    ),
    shards: Type.Array(Type.Object({ shard: Type.Integer({ minimum: 0, maximum: 255 }), initialZkeySha256: Sha256Hex, zkeySha256: Sha256Hex }, open), { minItems: 1, maxItems: 12 }),
    contributions: Type.Array(CeremonyContributionSchema, { maxItems: 1000 }),
  },
  open,
);
export type Ceremony = Static<typeof CeremonySchema>;

/** Any JSON object (answers whose content the caller does not need). */
export const AnyObjectSchema = Type.Object({}, open);

// ---------------------------------------------------------------------------------------------

const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();

/** Validates `value` against `schema`; throws {@link ProofMeshResponseError} naming the first bad field. */
export function parseWith<S extends TSchema>(schema: S, value: unknown, name: string): Static<S> {
  let validator = compiled.get(schema);
  if (!validator) {
    validator = Compile(schema);
    compiled.set(schema, validator);
  }
  if (validator.Check(value)) return value as Static<S>;
  const errors = validator.Errors(value);
  const useful = errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "boolean");
  const first = (useful.length > 0 ? useful : errors).slice().sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  const path = first?.instancePath ?? "";
  throw new ProofMeshResponseError(`${name}${path}: ${first?.message ?? "does not match schema"}`, { path, cause: errors });
}
