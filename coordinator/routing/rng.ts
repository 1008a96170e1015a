/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

export type CreateRngParameters = { seed: number };
export type CreateRngReturnType = Random;

/**
 * Seeded deterministic PRNG (sfc32 seeded through splitmix32): the same seed gives the same
 * sequence on every platform. For tests and the simulator; not for anything secret.
 */
export function createRng({ seed }: CreateRngParameters): CreateRngReturnType {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
