import type { Hex } from "viem";
import { iShardVerifierAbi, modelRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { forgeProof, publicDeltaOf } from "../../prover/ceremony/forge.ts";
import { readZkeyTranscript } from "../../prover/ceremony/zkey-contributions.ts";
import { toCalldata } from "../../prover/prove-shard.ts";
import type { SnarkjsGroth16VerificationKey } from "../../prover/verify/noble.ts";
import type { LocalMesh } from "./local-mesh.ts";

/**
 * SECURITY.md item 10 against the keys a mesh registered (the demo's, the e2e test's): delta from what the key's transcript
 * makes public (its beacon), a proof for result 7 built from it, sent to each registered verifier.
 */
export async function attemptForgery({ mesh, model }: { mesh: LocalMesh; model: string }): Promise<{ shard: number; accepted: boolean }[]> {
  const modelId = toModelId(model);
  const shards = (await mesh.publicClient.readContract({ address: mesh.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "getShards", args: [modelId] })) as readonly { verifier: Hex }[];
  const out: { shard: number; accepted: boolean }[] = [];
  for (const [k, s] of shards.entries()) {
    const { delta } = publicDeltaOf({ transcript: await readZkeyTranscript({ zkeyPath: mesh.chainZkeyPath(model, k) }) });
    const { vkey } = (await (await fetch(`${mesh.coordinatorUrl}/v1/models/${modelId}/shards/${k}/vkey`)).json()) as { vkey: SnarkjsGroth16VerificationKey };
    const signals = ["1", "2", "3", "7"];
    const cd = toCalldata({ proof: forgeProof({ vkey, delta, publicSignals: signals }) as never, publicSignals: signals });
    const accepted = (await mesh.publicClient.readContract({ address: s.verifier, abi: iShardVerifierAbi, functionName: "verifyProof", args: [cd.a, cd.b, cd.c, cd.pubSignals] })) as boolean;
    out.push({ shard: k, accepted });
  }
  return out;
}

