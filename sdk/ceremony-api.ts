/**
 * Client of the coordinator's ceremony API and content-addressed artefact store
 * (.proofmesh/CEREMONY-DESIGN.md "Coordinator ceremony API"). Every answer is schema-checked and
 * every downloaded body is checked against the sha256 it was asked for: the coordinator only
 * relays, it is trusted for nothing (the signatures and `zkey verify` are what count).
 *
 *   getCeremony          GET  /v1/ceremonies/:model
 *   startCeremony        POST /v1/ceremonies                                       (model owner's EIP-712 CeremonyStart)
 *   uploadCeremonyZkey   PUT  /v1/ceremonies/:model/contributions/:index/shards/:shard  (contributor's CeremonyUpload)
 *   submitContribution   POST /v1/ceremonies/:model/contributions                  (contributor's Contribution)
 *   downloadArtifact     GET  /v1/artifacts/:sha256                                (hash-checked, to a file)
 *   uploadArtifact       PUT  /v1/artifacts/:sha256                                (final keys of a registered model)
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

import type { Address, Hex } from "viem";

import { InvalidParameterError } from "./errors.ts";
import { downloadToFile, requestJson, uploadBytes, type DownloadToFileReturnType } from "./http.ts";
import { AnyObjectSchema, CeremonySchema, type Ceremony } from "./schemas.ts";
import { bareHex as bare } from "../prover/ceremony/hashes.ts";

/** The HTTP header carrying the CeremonyUpload signature of a zkey upload. */
export const CEREMONY_UPLOAD_SIGNATURE_HEADER = "x-proofmesh-signature";

const SHA256_RE = /^(0x)?[0-9a-fA-F]{64}$/;
const seg = (model: string) => encodeURIComponent(model);

function checkSha(sha256: string, what: string): string {
  if (!SHA256_RE.test(sha256)) throw new InvalidParameterError(`${what} "${sha256}" is not a sha256 (64 hex characters)`);
  return bare(sha256);
}

type Common = { coordinatorUrl: string; timeoutMs?: number };

export type GetCeremonyParameters = Common & { model: string };
export type GetCeremonyReturnType = Ceremony;

export async function getCeremony({ coordinatorUrl, model, timeoutMs }: GetCeremonyParameters): Promise<GetCeremonyReturnType> {
  return requestJson({ coordinatorUrl, path: `/v1/ceremonies/${seg(model)}`, schema: CeremonySchema, name: "Ceremony", timeoutMs });
}

export type StartCeremonyParameters = Common & {
  model: string;
  contributors: readonly Address[];
  contributorTimeoutMs: number;
  beaconBlock: number;
  /** EIP-712 CeremonyStart by the ModelRegistry owner (prover/ceremony/record.ts ceremonyStartTypedData) */
  signature: Hex;
};
export type StartCeremonyReturnType = Record<string, unknown>;

export async function startCeremony({ coordinatorUrl, timeoutMs, ...body }: StartCeremonyParameters): Promise<StartCeremonyReturnType> {
  return (await requestJson({ coordinatorUrl, path: "/v1/ceremonies", method: "POST", body: { ...body, contributors: [...body.contributors] }, schema: AnyObjectSchema, name: "CeremonyStart", timeoutMs })) as StartCeremonyReturnType;
}

export type UploadCeremonyZkeyParameters = Common & {
  model: string;
  index: number;
  shard: number;
  /** the zkey file */
  file: string;
  /** its sha256 (checked against the file) */
  sha256: string;
  /** EIP-712 CeremonyUpload(modelId, index, shard, sha256) by the current contributor */
  signature: Hex;
};

export async function uploadCeremonyZkey({ coordinatorUrl, timeoutMs, model, index, shard, file, sha256, signature }: UploadCeremonyZkeyParameters): Promise<void> {
  const want = checkSha(sha256, "sha256");
  const body = await readFile(file);
  const got = createHash("sha256").update(body).digest("hex");
  if (got !== want) throw new InvalidParameterError(`${file} hashes to ${got}, not ${want}`);
  await uploadBytes({
    coordinatorUrl,
    timeoutMs,
    path: `/v1/ceremonies/${seg(model)}/contributions/${index}/shards/${shard}`,
    body,
    headers: { [CEREMONY_UPLOAD_SIGNATURE_HEADER]: signature },
    name: "CeremonyUpload",
  });
}

export type SubmitContributionParameters = Common & {
  model: string;
  index: number;
  operator: Address;
  name: string;
  shards: readonly { shard: number; zkeySha256: string; contributionHash: string }[];
  /** signContribution over transcriptHashOf(the shards' contribution hashes) */
  signature: Hex;
};
export type SubmitContributionReturnType = Record<string, unknown>;

export async function submitContribution({ coordinatorUrl, timeoutMs, model, ...body }: SubmitContributionParameters): Promise<SubmitContributionReturnType> {
  const answer = await requestJson({ coordinatorUrl, path: `/v1/ceremonies/${seg(model)}/contributions`, method: "POST", body: { ...body, shards: body.shards.map((s) => ({ ...s, zkeySha256: bare(s.zkeySha256) })) }, schema: AnyObjectSchema, name: "Contribution", timeoutMs });
  return answer as SubmitContributionReturnType;
}

export type DownloadArtifactParameters = Common & { sha256: string; outPath: string; maxBytes?: number };
export type DownloadArtifactReturnType = DownloadToFileReturnType;

/** GET /v1/artifacts/:sha256 into `outPath`; an ArtifactHashMismatchError (nothing written) if the body is not that hash's. */
export async function downloadArtifact({ coordinatorUrl, timeoutMs, sha256, outPath, maxBytes }: DownloadArtifactParameters): Promise<DownloadArtifactReturnType> {
  const h = checkSha(sha256, "sha256");
  return downloadToFile({ coordinatorUrl, path: `/v1/artifacts/${h}`, outPath, sha256: h, maxBytes, timeoutMs });
}

export type UploadArtifactParameters = Common & { file: string; sha256: string };

/** PUT /v1/artifacts/:sha256 (the coordinator accepts only the zkey/vkey hashes of a registered model's on-chain record). */
export async function uploadArtifact({ coordinatorUrl, timeoutMs, file, sha256 }: UploadArtifactParameters): Promise<void> {
  const want = checkSha(sha256, "sha256");
  const body = await readFile(file);
  const got = createHash("sha256").update(body).digest("hex");
  if (got !== want) throw new InvalidParameterError(`${file} hashes to ${got}, not ${want}`);
  await uploadBytes({ coordinatorUrl, timeoutMs, path: `/v1/artifacts/${want}`, body, name: "Artifact" });
}
