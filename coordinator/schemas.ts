/**
 * TypeBox schemas of every coordinator route (requests AND responses). The request bodies and
 * the JobAnswer come from the wire contract (node/wire/messages.ts); the rest is the
 * coordinator's own API. Responses are serialised through these schemas (fast-json-stringify),
 * so a field missing here is missing on the wire: keep them complete.
 */
import { Type, type TSchema } from "typebox";
import { ApiErrorSchema, JobStatusValues, WireAddress, WireBytes32, WireDecimal, WireSignature65 } from "../node/wire/messages.ts";

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const TxHash = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" });
const Sha256 = Type.String({ pattern: "^[0-9a-f]{64}$" });
const Decimal = WireDecimal;
const AnyObject = Type.Object({}, { additionalProperties: true });

export const ErrorResponses = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  402: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  413: ApiErrorSchema,
  415: ApiErrorSchema,
  429: ApiErrorSchema,
  500: ApiErrorSchema,
  503: ApiErrorSchema,
} as const;

export const JobIdParams = Type.Object({ jobId: Decimal }, { additionalProperties: false });

export const JobStatusSchema = Type.Object(
  {
    jobId: Decimal,
    status: Type.Enum([...JobStatusValues]),
    tentative: Type.Boolean(),
    result: Nullable(Type.Integer()),
    logits: Nullable(Type.Array(Type.Integer())),
    chainResult: Nullable(Decimal),
    dApp: WireAddress,
    nonce: Decimal,
    modelId: WireBytes32,
    clusterId: Type.Integer({ minimum: 0 }),
    deadline: Decimal,
    nodeIds: Nullable(Type.Array(Type.Integer({ minimum: 0 }))),
    stageCount: Nullable(Type.Integer({ minimum: 0 })),
    stagesProven: Type.Integer({ minimum: 0 }),
    relay: Nullable(
      Type.Object({
        status: Type.Enum(["pending", "confirmed", "failed"]),
        txHash: Nullable(TxHash),
        attempts: Type.Integer({ minimum: 0 }),
        error: Nullable(Type.String()),
      }),
    ),
    txs: Type.Object({ created: Nullable(TxHash), assigned: Nullable(TxHash), settled: Nullable(TxHash), expired: Nullable(TxHash) }),
  },
  { additionalProperties: false },
);

const Paged = <T extends TSchema>(item: T) =>
  Type.Object({ total: Type.Integer({ minimum: 0 }), limit: Type.Integer({ minimum: 0 }), offset: Type.Integer({ minimum: 0 }), items: Type.Array(item) });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
};

export const JobListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...JobStatusValues])),
    modelId: Type.Optional(WireBytes32),
    dApp: Type.Optional(WireAddress),
    nodeId: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export const JobListSchema = Paged(JobStatusSchema);

const ShardRefJson = Type.Object({ modelId: Type.String(), shard: Type.Integer({ minimum: 0 }) });

export const NodeSchema = Type.Object({
  id: Type.Integer({ minimum: 0 }),
  operator: WireAddress,
  signer: WireAddress,
  endpoint: Type.String(),
  endpointInUse: Type.String(),
  clusterId: Type.Integer({ minimum: 0 }),
  memoryBytes: Decimal,
  modelIds: Type.Array(Type.String()),
  stake: Decimal,
  unbonding: Decimal,
  unbondEnd: Type.Integer({ minimum: 0 }),
  slashed: Decimal,
  eligible: Type.Boolean(),
  ineligibleReason: Nullable(Type.String()),
  health: Type.Enum(["alive", "suspect", "dead"]),
  inFlight: Type.Integer({ minimum: 0 }),
  queueDepth: Type.Integer({ minimum: 0 }),
  load: Nullable(Type.Number()),
  penaltyMs: Type.Number({ minimum: 0 }),
  probeRttMs: Nullable(Type.Number({ minimum: 0 })),
  lastHeartbeatAtMs: Nullable(Type.Number()),
  lastProbe: Nullable(Type.Object({ ok: Type.Boolean(), atMs: Type.Number(), error: Nullable(Type.String()) })),
  placedShards: Type.Array(ShardRefJson),
  servedShards: Type.Array(ShardRefJson),
  computeMs: Type.Array(Type.Object({ modelId: Type.String(), shard: Type.Integer(), ewmaMs: Type.Number(), source: Type.Enum(["observed", "gossip", "prior"]) })),
  rttMs: Type.Array(Type.Object({ nodeId: Type.Integer(), rttMs: Type.Number() })),
  proofsSubmitted: Type.Integer({ minimum: 0 }),
});
export const NodeListQuery = Type.Object(
  { clusterId: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295 })), health: Type.Optional(Type.Enum(["alive", "suspect", "dead"])), ...PageQuery },
  { additionalProperties: false },
);
export const NodeListSchema = Paged(NodeSchema);
export const NodeIdParams = Type.Object({ nodeId: Type.Integer({ minimum: 0, maximum: 4_294_967_295 }) }, { additionalProperties: false });

export const ClusterSchema = Type.Object({
  id: Type.Integer({ minimum: 0 }),
  label: Type.String(),
  region: Type.String(),
  minStake: Decimal,
  active: Type.Boolean(),
  memberNodeIds: Type.Array(Type.Integer()),
  eligibleNodeIds: Type.Array(Type.Integer()),
  health: Type.Object({ alive: Type.Integer(), suspect: Type.Integer(), dead: Type.Integer() }),
});
export const ClusterListSchema = Type.Object({ items: Type.Array(ClusterSchema) });

export const ModelSchema = Type.Object({
  modelId: WireBytes32,
  name: Nullable(Type.String()),
  index: Type.Integer({ minimum: 0 }),
  shardCount: Type.Integer({ minimum: 0 }),
  totalPrice: Decimal,
  active: Type.Boolean(),
  inputSize: Nullable(Type.Integer()),
  shards: Type.Array(
    Type.Object({
      shard: Type.Integer({ minimum: 0 }),
      verifier: WireAddress,
      weightsHash: WireBytes32,
      memoryBytes: Decimal,
      pricePerStage: Decimal,
      weightsHashMatchesManifest: Nullable(Type.Boolean()),
      vkeyId: Nullable(Sha256),
      artifacts: Nullable(Type.Object({ onnx: Sha256, wasm: Sha256, zkey: Sha256, vkey: Sha256 })),
    }),
  ),
});
export const ModelListSchema = Type.Object({ items: Type.Array(ModelSchema) });

export const VkeyParams = Type.Object({ modelId: WireBytes32, k: Type.Integer({ minimum: 0, maximum: 255 }) }, { additionalProperties: false });
export const VkeySchema = Type.Object({
  modelId: WireBytes32,
  shard: Type.Integer(),
  vkeyId: Sha256,
  path: Type.String(),
  vkey: AnyObject,
});

export const ArtifactParams = Type.Object({ sha256: Type.String({ pattern: "^[0-9a-fA-F]{64}$" }) }, { additionalProperties: false });
export const ArtifactListSchema = Type.Object({
  items: Type.Array(Type.Object({ sha256: Sha256, kind: Type.Enum(["onnx", "wasm", "zkey", "vkey", "circuit"]), path: Type.String(), modelId: WireBytes32, manifestModelId: Type.String(), shard: Type.Integer(), contentType: Type.String(), url: Type.String() })),
});

const StageExplanationSchema = Type.Object({
  stage: Type.Integer(),
  nodeId: Type.Integer(),
  address: WireAddress,
  plannedNodeId: Type.Integer(),
  candidates: Type.Array(Type.Integer()),
  predictedMs: Type.Number(),
  predictedComputeMs: Type.Number(),
  observedComputeMs: Type.Number(),
  observedTotalMs: Type.Number(),
  reason: Type.String(),
  nearOptimalNodeIds: Type.Array(Type.Integer()),
  alternatives: Type.Array(Type.Object({ nodeId: Type.Integer(), bestPathMs: Type.Number(), nearOptimal: Type.Boolean() })),
});
export const RouteExplanationSchema = Type.Object({
  predictedMs: Type.Number(),
  optimumMs: Type.Number(),
  thresholdMs: Type.Number(),
  observedMs: Type.Number(),
  stages: Type.Array(StageExplanationSchema),
  attempts: Type.Array(Type.Object({ firstNodeId: Type.Integer(), outcome: Type.Enum(["ok", "error", "timeout"]), error: Nullable(Type.String()), elapsedMs: Type.Number() })),
  downstreamFailures: Type.Array(Type.Object({ stage: Type.Integer(), nodeId: Type.Integer(), error: Type.String() })),
});

const G1 = Type.Array(Decimal, { minItems: 3, maxItems: 3 });
const Fp2 = Type.Array(Decimal, { minItems: 2, maxItems: 2 });
export const SnarkjsProofSchema = Type.Object({
  pi_a: G1,
  pi_b: Type.Array(Fp2, { minItems: 3, maxItems: 3 }),
  pi_c: G1,
  protocol: Type.Literal("groth16"),
  curve: Type.Literal("bn128"),
});

const RequestJson = Type.Object({ dApp: WireAddress, modelId: WireBytes32, inputCommitment: Decimal, maxFee: Decimal, deadline: Decimal, nonce: Decimal, clusterId: Type.Integer() });
const AnswerJson = Type.Object({
  jobId: Decimal,
  status: Type.String(),
  result: Type.Integer(),
  logits: Type.Array(Type.Integer()),
  tentative: Type.Boolean(),
  fastPathMs: Type.Number(),
  route: Type.Array(Type.Object({ stage: Type.Integer(), nodeId: Type.Integer(), address: WireAddress, predictedMs: Type.Number(), observedComputeMs: Type.Number() })),
});

export const JobTraceSchema = Type.Object({
  ...JobStatusSchema.properties,
  chainId: Type.Integer(),
  jobMarket: WireAddress,
  request: Nullable(RequestJson),
  signature: Nullable(Type.String()),
  input: Nullable(Type.Array(Type.Integer())),
  inputCommitment: Nullable(Decimal),
  escrow: Nullable(Decimal),
  answer: Nullable(AnswerJson),
  route: Nullable(RouteExplanationSchema),
  creation: Nullable(Type.Object({ txHash: TxHash, blockNumber: Type.Integer() })),
  assignment: Nullable(Type.Object({ txHash: TxHash, nodeIds: Type.Array(Type.Integer()) })),
  stages: Type.Array(
    Type.Object({
      stage: Type.Integer(),
      nodeId: Nullable(Type.Integer()),
      operator: Nullable(WireAddress),
      prover: Nullable(WireAddress),
      verifier: Nullable(WireAddress),
      weightsHash: Nullable(WireBytes32),
      weightsHashMatchesManifest: Nullable(Type.Boolean()),
      vkeyId: Nullable(Sha256),
      vkeyUrl: Nullable(Type.String()),
      expectedBinding: Nullable(Decimal),
      proven: Type.Boolean(),
      proof: Nullable(SnarkjsProofSchema),
      publicSignals: Nullable(Type.Array(Decimal, { minItems: 4, maxItems: 4 })),
      outCommit: Nullable(Decimal),
      paid: Nullable(Decimal),
      txHash: Nullable(TxHash),
      blockNumber: Nullable(Type.Integer()),
      verification: Nullable(Type.Object({ valid: Type.Boolean(), code: Nullable(Type.String()), reason: Nullable(Type.String()) })),
    }),
  ),
  settlement: Nullable(Type.Object({ result: Decimal, coordinatorFee: Decimal, txHash: TxHash, fastPathAgrees: Nullable(Type.Boolean()) })),
  expiry: Nullable(Type.Object({ refund: Decimal, slashedNodeId: Type.Integer(), slashed: Decimal, txHash: TxHash })),
  events: Type.Array(Type.Object({ name: Type.String(), blockNumber: Type.Integer(), logIndex: Type.Integer(), txHash: TxHash, args: AnyObject })),
});
export const JobTraceQuery = Type.Object({ verify: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });

export const HealthSchema = Type.Object({
  status: Type.Enum(["ok", "degraded"]),
  chainId: Type.Integer(),
  contracts: Type.Object({ ProofMeshToken: WireAddress, StakeRegistry: WireAddress, ModelRegistry: WireAddress, JobMarket: WireAddress }),
  relayer: Nullable(WireAddress),
  indexer: Type.Object({
    fromBlock: Decimal,
    lastIndexedBlock: Nullable(Decimal),
    headBlock: Nullable(Decimal),
    lagBlocks: Nullable(Type.Integer()),
    lastSuccessAtMs: Nullable(Type.Number()),
    consecutiveFailures: Type.Integer(),
    lastError: Nullable(Type.String()),
  }),
  gossip: Nullable(Type.Object({ peerId: Type.String(), multiaddrs: Type.Array(Type.String()), topics: Type.Array(Type.String()), accepted: Type.Integer(), received: Type.Integer() })),
  nodes: Type.Object({ alive: Type.Integer(), suspect: Type.Integer(), dead: Type.Integer() }),
  relay: Type.Object({ pending: Type.Integer(), confirmed: Type.Integer(), failed: Type.Integer() }),
  inFlightSubmissions: Type.Integer(),
  healthTimings: Type.Object({ heartbeatIntervalMs: Type.Number(), suspectAfterMs: Type.Number(), deadAfterMs: Type.Number(), probeIntervalMs: Type.Number(), probeTimeoutMs: Type.Number() }),
});

export const PlacementSchema = Type.Object({
  replicas: Type.Array(Type.Object({ clusterId: Type.String(), modelId: Type.String(), shardIndex: Type.Integer(), nodeIds: Type.Array(Type.String()) })),
  nodes: Type.Array(Type.Object({ id: Type.String(), clusterId: Type.String(), shards: Type.Array(Type.Object({ modelId: Type.String(), shardIndex: Type.Integer() })), usedBytes: Type.Number(), freeBytes: Type.Number() })),
  unplaceable: Type.Array(Type.Object({ clusterId: Type.String(), modelId: Type.String(), shardIndex: Type.Integer(), memoryBytes: Type.Number(), reason: Type.String(), message: Type.String() })),
  underReplicated: Type.Array(Type.Object({ clusterId: Type.String(), modelId: Type.String(), shardIndex: Type.Integer(), replicas: Type.Integer(), targetReplicas: Type.Integer() })),
});

// ------------------------------------------------------------------------ ceremony API (ceremonies.ts)

/** A model: its manifest id ("mnist-mlp-784-64-32-10") or its bytes32 chain id. */
export const ModelRef = Type.String({ pattern: "^(0x[0-9a-fA-F]{64}|[A-Za-z0-9][A-Za-z0-9._-]{0,127})$" });
const ContributionHashHex = Type.String({ pattern: "^[0-9a-f]{128}$" });
const IsoTime = Type.String();
const ContributorStatusEnum = Type.Enum(["done", "skipped", "current", "waiting"]);
const CeremonyStatusEnum = Type.Enum(["contributing", "ready", "failed", "registered"]);

export const CeremonyModelParams = Type.Object({ model: ModelRef }, { additionalProperties: false });

export const CeremonyStartBody = Type.Object(
  {
    model: ModelRef,
    contributors: Type.Array(WireAddress, { minItems: 1, maxItems: 256 }),
    contributorTimeoutMs: Type.Integer({ minimum: 1_000, maximum: 30 * 24 * 3_600_000 }),
    beaconBlock: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    /** EIP-712 CeremonyStart(modelId, contributors, contributorTimeoutMs, beaconBlock) by ModelRegistry.owner() */
    signature: WireSignature65,
  },
  { additionalProperties: false },
);

export const CeremonyUploadParams = Type.Object(
  { model: ModelRef, index: Type.Integer({ minimum: 0, maximum: 1000 }), shard: Type.Integer({ minimum: 0, maximum: 255 }) },
  { additionalProperties: false },
);
/** EIP-712 CeremonyUpload(modelId, index, shard, sha256 of the body) by the current contributor */
export const CeremonyUploadHeaders = Type.Object({ "x-proofmesh-signature": WireSignature65 }, { additionalProperties: true });
export const CeremonyUploadSchema = Type.Object({
  model: Type.String(),
  modelId: WireBytes32,
  index: Type.Integer(),
  shard: Type.Integer(),
  operator: WireAddress,
  sha256: Sha256,
  bytes: Type.Integer(),
});

export const CeremonyContributionBody = Type.Object(
  {
    index: Type.Integer({ minimum: 0, maximum: 1000 }),
    operator: WireAddress,
    /** what the contributor wrote into the zkeys (snarkjs keeps at most 64 characters) */
    name: Type.String({ minLength: 1, maxLength: 64 }),
    shards: Type.Array(
      Type.Object({ shard: Type.Integer({ minimum: 0, maximum: 255 }), zkeySha256: Sha256, contributionHash: ContributionHashHex }, { additionalProperties: false }),
      { minItems: 1, maxItems: 64 },
    ),
    /** EIP-712 Contribution(modelId, index, transcriptHashOf(contribution hashes)) by `operator` */
    signature: WireSignature65,
  },
  { additionalProperties: false },
);

export const CeremonySchema = Type.Object({
  model: Type.String(),
  modelId: WireBytes32,
  status: CeremonyStatusEnum,
  ptauSha256: Sha256,
  beaconBlock: Type.Integer(),
  contributorTimeoutMs: Type.Integer(),
  startedAt: IsoTime,
  startedAtMs: Type.Number(),
  endedAt: Nullable(IsoTime),
  endedAtMs: Nullable(Type.Number()),
  current: Nullable(Type.Object({ index: Type.Integer(), address: WireAddress, turnStartedAt: IsoTime, deadline: IsoTime, deadlineMs: Type.Number() })),
  contributors: Type.Array(
    Type.Object({ address: WireAddress, status: ContributorStatusEnum, turnStartedAt: Nullable(IsoTime), deadline: Nullable(IsoTime), deadlineMs: Nullable(Type.Number()), finishedAt: Nullable(IsoTime) }),
  ),
  shards: Type.Array(Type.Object({ shard: Type.Integer(), initialZkeySha256: Sha256, initialZkeyBytes: Type.Integer(), zkeySha256: Sha256, maxUploadBytes: Type.Integer() })),
  contributions: Type.Array(
    Type.Object({
      index: Type.Integer(),
      operator: WireAddress,
      name: Type.String(),
      shardHashes: Type.Array(ContributionHashHex),
      transcriptHash: WireBytes32,
      signature: Type.String(),
      at: IsoTime,
      zkeys: Type.Array(Sha256),
      verifyMs: Nullable(Type.Number()),
    }),
  ),
  uploads: Type.Array(Type.Object({ index: Type.Integer(), shard: Type.Integer(), operator: WireAddress, sha256: Sha256, bytes: Type.Integer(), at: IsoTime })),
});

export const ArtifactPutSchema = Type.Object({ sha256: Sha256, bytes: Type.Integer(), stored: Type.Boolean() });

export const ExplorerModelParams = Type.Object({ id: ModelRef }, { additionalProperties: false });
export const ExplorerModelSchema = Type.Object({
  modelId: WireBytes32,
  name: Nullable(Type.String()),
  registered: Type.Boolean(),
  index: Nullable(Type.Integer({ minimum: 0 })),
  shardCount: Type.Integer({ minimum: 0 }),
  totalPrice: Nullable(Decimal),
  active: Nullable(Type.Boolean()),
  inputSize: Nullable(Type.Integer()),
  shards: Type.Array(
    Type.Object({
      shard: Type.Integer({ minimum: 0 }),
      verifier: Nullable(WireAddress),
      weightsHash: Nullable(WireBytes32),
      memoryBytes: Nullable(Decimal),
      pricePerStage: Nullable(Decimal),
      weightsHashMatchesManifest: Nullable(Type.Boolean()),
      /** sha256 of the final zkey / vkey (on-chain record) and whether this coordinator serves them */
      zkeyId: Nullable(Sha256),
      vkeyId: Nullable(Sha256),
      zkeyHeld: Type.Boolean(),
      vkeyHeld: Type.Boolean(),
      vkeyUrl: Nullable(Type.String()),
      artifacts: Nullable(Type.Object({ onnx: Sha256, wasm: Sha256, circuit: Sha256 })),
    }),
  ),
  /** ModelRegistry.ceremonyOf(modelId) (null: not registered, or the chain could not be read: see chainError) */
  ceremony: Nullable(
    Type.Object({
      ptauHash: WireBytes32,
      ptauMatchesManifest: Nullable(Type.Boolean()),
      beaconBlock: Decimal,
      beaconHash: WireBytes32,
      shards: Type.Array(Type.Object({ shard: Type.Integer(), zkeyHash: WireBytes32, vkeyHash: WireBytes32 })),
      contributions: Type.Array(Type.Object({ index: Type.Integer(), operator: WireAddress, transcriptHash: WireBytes32, signature: Type.String() })),
    }),
  ),
  chainError: Nullable(Type.String()),
  /** the ceremony this coordinator ran for the model (times, turns), if any */
  coordinatorCeremony: Nullable(
    Type.Object({
      status: CeremonyStatusEnum,
      beaconBlock: Type.Integer(),
      contributorTimeoutMs: Type.Integer(),
      startedAt: IsoTime,
      endedAt: Nullable(IsoTime),
      contributors: Type.Array(Type.Object({ address: WireAddress, status: ContributorStatusEnum, turnStartedAt: Nullable(IsoTime), deadline: Nullable(IsoTime), finishedAt: Nullable(IsoTime) })),
      contributions: Type.Array(Type.Object({ index: Type.Integer(), operator: WireAddress, transcriptHash: WireBytes32, at: IsoTime, verifyMs: Nullable(Type.Number()) })),
      url: Type.String(),
    }),
  ),
});
