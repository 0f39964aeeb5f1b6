/** Redis replies as records: hashes and stream entries come back as flat [k1, v1, k2, v2, …]. */

export type Fields = Record<string, string>;

/** [k1, v1, k2, v2, …] (HGETALL, stream entries) → record. Later duplicates win. */
export function pairsToFields(flat: unknown): Fields {
  if (!Array.isArray(flat))
    throw new Error(`expected a flat field list from Redis, got ${typeof flat}`);
  const out: Fields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

export function fieldsToPairs(fields: Fields): string[] {
  return Object.entries(fields).flat();
}

/** Stream ids are `<ms>-<n>`: the ms part is when Redis accepted the write. */
export function streamIdMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
