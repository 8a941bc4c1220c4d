// Deterministic synthetic data: the same seed yields the same fleet (ids, users, sessions) on every run.

export type Random = () => number;

/** mulberry32: tiny and fast; statistical quality is plenty for test data. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomUint32(random: Random): number {
  return Math.floor(random() * 4294967296);
}

/** Eight lower-case hex characters, the shape of an APM session id (e.g. `5519d028`). */
export function randomSessionId(random: Random): string {
  return randomUint32(random).toString(16).padStart(8, '0');
}

/** A version-4-shaped UUID, as BIG-IP uses for `machineId`. */
export function randomMachineId(random: Random): string {
  const hex = [0, 1, 2, 3].map(() => randomSessionId(random)).join('');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function randomClientIp(random: Random): string {
  const octet = () => 1 + Math.floor(random() * 254);
  return `10.${octet()}.${octet()}.${octet()}`;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** `users` as given, or `user0..user<n-1>` for a count. */
export function userPool(users: readonly string[] | number): string[] {
  if (typeof users !== 'number') {
    if (users.length === 0) throw new Error('the user pool is empty');
    return [...users];
  }
  if (!Number.isInteger(users) || users < 1) throw new Error(`user count must be a positive integer, got ${users}`);
  return Array.from({ length: users }, (_, index) => `user${index}`);
}
