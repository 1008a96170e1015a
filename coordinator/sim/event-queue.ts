/** Min-heap of timed events for the discrete-event simulator; equal times pop in insertion order (deterministic). */
export type Timed = { readonly atMs: number };

export class EventQueue<E extends Timed> {
  #heap: { e: E; seq: number }[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(e: E): void {
    const h = this.#heap;
    h.push({ e, seq: this.#seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  pop(): E | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l], h[m])) m = l;
        if (r < h.length && this.#less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top.e;
  }

  #less(a: { e: E; seq: number }, b: { e: E; seq: number }): boolean {
    return a.e.atMs < b.e.atMs || (a.e.atMs === b.e.atMs && a.seq < b.seq);
  }
}
