/**
 * snarkjs keeps a pool of worker threads (ffjavascript's bn128 curve, cached on
 * globalThis) alive after the first proof or verification, which keeps a process
 * from exiting. Call this when a process (a test file, a CLI) is done proving.
 */
export async function releaseProverThreads(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  if (g.curve_bn128) await g.curve_bn128.terminate();
}
