// Password hashing with node:crypto scrypt (memory-hard, no native dependency). Format: scrypt$N$r$p$salt$hash: the
// parameters travel with each hash, so hashes made at an older cost keep verifying and are upgraded at the next login.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import pLimit from 'p-limit';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  n: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** OWASP's minimum for scrypt: 128 MiB and about 0.3 s of one core per hash on a small server. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ n: 2 ** 17, r: 8, p: 1 });

/**
 * log2(N) for test suites, which hash and log in hundreds of times. Honoured only when NODE_ENV is `test`, so a stray
 * variable cannot weaken a real deployment.
 */
export const TEST_COST_ENV = 'CURFEW_TEST_SCRYPT_LOG2N';

/** Shortest password a local user may have (NIST SP 800-63B asks for at least 8; 12 leaves a margin). */
export const MIN_PASSWORD_LENGTH = 12;

const KEY_LENGTH = 32;
// A stored hash is trusted input, but a corrupted one must not make one login allocate gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 1024 * 1024 * 1024;
// Each derivation at the default cost holds 128 MiB: at most two at once bounds memory and leaves libuv threads for
// file and DNS work, whatever number of logins arrive together.
const derivations = pLimit(2);

/** The parameters new hashes get: DEFAULT_SCRYPT_PARAMS, or the test cost under NODE_ENV=test. */
export function passwordHashParams(): ScryptParams {
  const log2n = process.env.NODE_ENV === 'test' ? Number(process.env[TEST_COST_ENV]) : Number.NaN;
  if (Number.isInteger(log2n) && log2n >= 4 && log2n <= 20) return { ...DEFAULT_SCRYPT_PARAMS, n: 2 ** log2n };
  return { ...DEFAULT_SCRYPT_PARAMS };
}

/** What OpenSSL allocates for scrypt (B and V), which `maxmem` must cover: Node's default 32 MiB does not. */
const memoryOf = ({ n, r, p }: ScryptParams): number => 128 * r * (n + p + 2);

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const { n: N, r, p } = params;
  return derivations(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: memoryOf(params) }, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      }),
  );
}

export async function hashPassword(password: string, params: ScryptParams = passwordHashParams()): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.n, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;

/** The parts of a stored hash; undefined when malformed or its parameters are out of bounds. */
function parseHash(encoded: string): ParsedHash | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = encoded.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || rest.length > 0) return undefined;
  const params = { n: Number(n), r: Number(r), p: Number(p) };
  if (!isPowerOfTwo(params.n) || params.n > MAX_N) return undefined;
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > MAX_R) return undefined;
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > MAX_P) return undefined;
  if (memoryOf(params) > MAX_MEMORY) return undefined;
  return { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

/** Constant-time check; false for a malformed hash rather than an exception. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed || parsed.hash.length === 0) return false;
  const actual = await derive(password, parsed.salt, parsed.params);
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

/** True when a stored hash is weaker than what new hashes get (so a login that just verified it should replace it). */
export function needsRehash(encoded: string, params: ScryptParams = passwordHashParams()): boolean {
  const parsed = parseHash(encoded)?.params;
  return !parsed || parsed.n < params.n || parsed.r < params.r || parsed.p < params.p;
}

/** Why a local user's password is refused, or undefined when it is long enough (counted in characters). */
export function passwordLengthProblem(password: string): string | undefined {
  const length = [...password].length;
  return length >= MIN_PASSWORD_LENGTH
    ? undefined
    : `A local user's password must be at least ${MIN_PASSWORD_LENGTH} characters long (this one has ${length}).`;
}

/** A random password for first-run bootstrap: 20 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('');
}
