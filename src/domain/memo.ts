/**
 * A pure function of a number, memoised in a bounded map: the first `cap` distinct arguments
 * are kept, later ones are computed each time (hot per-block paths ask the same few values).
 */
export function memoBounded<V>(fn: (k: number) => V, cap: number): (k: number) => V {
  const cache = new Map<number, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) {
      v = fn(k);
      if (cache.size < cap) cache.set(k, v);
    }
    return v;
  };
}
