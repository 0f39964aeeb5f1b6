import bcrypt from 'bcrypt';

/** Native bcrypt on libuv's thread pool: hashing never blocks the event loop. */
export const hashPassword = (password: string, cost: number): Promise<string> => bcrypt.hash(password, cost);

// Compared against when the account does not exist, so timing does not reveal which NISNs exist.
const DUMMY_HASH = bcrypt.hashSync('examhall-no-such-account', 8);

export const verifyPassword = (password: string, hash: string | undefined): Promise<boolean> =>
  bcrypt.compare(password, hash ?? DUMMY_HASH).then((ok) => ok && hash !== undefined);
