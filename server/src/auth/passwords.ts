import bcrypt from 'bcrypt';

/** Native bcrypt on libuv's thread pool: hashing never blocks the event loop. */
export const hashPassword = (password: string, cost: number): Promise<string> =>
  bcrypt.hash(password, cost);

/** The cost a bcrypt hash was made with (`$2b$11$…` → 11), or undefined when it is not one. */
export function bcryptCostOf(hash: string): number | undefined {
  const match = /^\$2[abxy]?\$(\d{2})\$/.exec(hash);
  return match ? Number(match[1]) : undefined;
}

const standIns = new Map<number, Promise<string>>();

/**
 * The hash compared against when the account does not exist. It must cost what a real
 * account's hash costs, or the answer's timing tells which accounts exist (staff hashes
 * are cost 11, a cost-8 stand-in answered an unknown email ~6× sooner). One per cost, made
 * on first use and kept.
 */
export function standInHash(cost: number): Promise<string> {
  let hash = standIns.get(cost);
  if (!hash) {
    hash = bcrypt.hash('examhall-no-such-account', cost);
    standIns.set(cost, hash);
  }
  return hash;
}

/**
 * Whether `password` matches `hash`; with no hash (no such account) the stand-in of
 * `standInCost` is compared instead and the answer is false.
 */
export async function verifyPassword(
  password: string,
  hash: string | undefined,
  standInCost: number,
): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? (await standInHash(standInCost)));
  return ok && hash !== undefined;
}
