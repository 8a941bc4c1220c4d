// A curfew keeps users out until a time: a durable rule naming who (users, client addresses, or a session query),
// where (the scopes of a kill), and until when. The engine ends matching sessions (mode `enforce`) or only counts them
// (`monitor`) while the curfew is active. Pure: the request body is read in curfew-body.ts, storage is the store's.
//
// Matching, per session on a device in scope:
// - The parts of `who` combine as OR: any listed user, OR any listed address/block, OR the query. (AND would make a
//   curfew on "alice and 10.0.0.0/8" miss alice at home; write a query for a conjunction: `user:alice AND client_ip:…`.)
// - A user without `*` or `?` matches exactly and case-sensitively (gateways treat user names so, as kills do); one
//   with them is a wildcard pattern matched case-insensitively, as patterns in the search language are.
// - Addresses match exactly or by CIDR containment, IPv4 and IPv6, IPv4-mapped IPv6 equal to IPv4 (cidr.ts).
// - The query is the session search language, evaluated on the live session (session-query-eval.ts).
import { randomUUID } from 'node:crypto';
import { blockContains, type IpBlock, parseIpBlock } from './cidr.js';
import { type GlobPart, matchesGlob } from './glob.js';
import type { Device } from './model.js';
import { type Inventory, resolveSelector } from './selector.js';
import type { SessionQueryAst } from './session-query.js';
import { cachedQuery, evaluateSessionQuery, type LiveSessionView } from './session-query-eval.js';

export type CurfewMode = 'enforce' | 'monitor';
export type CurfewState = 'active' | 'lifted' | 'expired';
export const CURFEW_STATES: readonly CurfewState[] = ['active', 'lifted', 'expired'];

/** Who is kept out; the parts combine as OR (see above). */
export interface CurfewWho {
  /** Exact names, or wildcard patterns with `*` / `?`. */
  users: string[];
  /** Addresses or CIDR blocks, IPv4 or IPv6. */
  ips: string[];
  /** A session search query (docs/compat/sps.md §6.4), or null. */
  query: string | null;
}

/** Where: the scopes of a kill, a union of devices. */
export interface CurfewWhere {
  /** Every device in the inventory (`fleet`). */
  all: boolean;
  accessGroupNames: string[];
  clusterNames: string[];
  deviceIds: string[];
}

/** What a client asks for (parseCurfewInput). */
export interface CurfewInput {
  who: CurfewWho;
  where: CurfewWhere;
  /** Epoch ms; null: until lifted. */
  until: number | null;
  reason: string;
  mode: CurfewMode;
}

/** A new curfew as the store writes it (state active, no violations, generation 1). */
export interface NewCurfew extends CurfewInput {
  id: string;
  /** Login name of whoever set it. */
  setBy: string;
  /** Client address the request came from. */
  setFrom: string;
  createdAt: number;
}

export interface Curfew extends NewCurfew {
  /** Last change to the rule itself (set, extended, lifted, expired); violations do not move it. */
  updatedAt: number;
  /** Who made that change: setBy, then whoever extended or lifted it; null after an expiry. */
  updatedBy: string | null;
  state: CurfewState;
  /** When it was lifted, or its `until` once expired; null while active. */
  endedAt: number | null;
  /** Who lifted it; null otherwise. */
  endedBy: string | null;
  /** Sessions ended (enforce) or seen (monitor) because of it. */
  violations: number;
  /** Bumped on every change, violations included. */
  generation: number;
}

export interface Actor {
  name: string;
  address: string;
}

export function newCurfew(input: CurfewInput, actor: Actor, now: number, id: string = randomUUID()): NewCurfew {
  return { ...input, id, setBy: actor.name, setFrom: actor.address, createdAt: now };
}

/** Active: not lifted or expired, and its `until` (if any) still ahead. A curfew ends at `until` exactly. */
export function isActive(curfew: Pick<Curfew, 'state' | 'until'>, now: number): boolean {
  return curfew.state === 'active' && (curfew.until === null || curfew.until > now);
}

/** A live session as a curfew sees it. */
export type CurfewSession = LiveSessionView;

/** Whether the session is one the curfew keeps out (ignoring where and whether the curfew is active). */
export function curfewMatches(curfew: Pick<Curfew, 'who'>, session: CurfewSession): boolean {
  const who = compiled(curfew.who);
  if (who.exactUsers.has(session.user)) return true;
  if (who.userGlobs.some((parts) => matchesGlob(parts, session.user, { ignoreCase: true }))) return true;
  if (who.blocks.some((block) => blockContains(block, session.clientIp))) return true;
  return who.query !== undefined && evaluateSessionQuery(who.query, session);
}

interface CompiledWho {
  exactUsers: ReadonlySet<string>;
  userGlobs: GlobPart[][];
  blocks: IpBlock[];
  query: SessionQueryAst | undefined;
}

/**
 * Rules compiled once per `who` object: the engine checks one curfew against every session a gateway lists. Curfew
 * values are treated as immutable (the store returns new objects on every read).
 */
const compiledWho = new WeakMap<CurfewWho, CompiledWho>();

function compiled(who: CurfewWho): CompiledWho {
  let result = compiledWho.get(who);
  if (!result) {
    result = {
      exactUsers: new Set(who.users.filter((user) => !/[*?]/.test(user))),
      userGlobs: who.users.filter((user) => /[*?]/.test(user)).map(globParts),
      // parseCurfewInput refuses bad entries; one stored anyway (edited by hand) matches no one.
      blocks: who.ips.flatMap((ip) => {
        try {
          return [parseIpBlock(ip)];
        } catch {
          return [];
        }
      }),
      // An empty or broken query would match everyone or fail every check: parseCurfewInput refuses both; stored,
      // they match no one.
      query: who.query === null ? undefined : cachedQuery(who.query),
    };
    compiledWho.set(who, result);
  }
  return result;
}

function globParts(pattern: string): GlobPart[] {
  const parts: GlobPart[] = [];
  for (const c of pattern) {
    const last = parts[parts.length - 1];
    if (c === '*' || c === '?') parts.push({ wildcard: c });
    else if (typeof last === 'string') parts[parts.length - 1] = last + c;
    else parts.push(c);
  }
  return parts;
}

/**
 * Whether a device is within the curfew's scopes. Membership, not kill resolution: a STANDBY member of a named cluster
 * is in scope too (it has no sessions now, but gets them on failover, and prevention applies to it).
 */
export function curfewScopesDevice(
  where: CurfewWhere,
  device: Pick<Device, 'id' | 'cluster' | 'accessGroup'>,
): boolean {
  return (
    where.all ||
    where.deviceIds.includes(device.id) ||
    (device.cluster !== null && where.clusterNames.includes(device.cluster)) ||
    (device.accessGroup !== null && where.accessGroupNames.includes(device.accessGroup))
  );
}

export interface UnknownScopes {
  unknownDevices: string[];
  unknownClusters: string[];
  unknownAccessGroups: string[];
}

/** Scopes the inventory does not know (a typo, or a device removed since): the same check a kill makes. */
export function curfewUnknownScopes(where: CurfewWhere, inventory: Inventory): UnknownScopes {
  const { unknownDevices, unknownClusters, unknownAccessGroups } = resolveSelector(
    { action: 'KILL_ALL_SESSIONS', ...where, sessions: [] },
    inventory,
  );
  return { unknownDevices, unknownClusters, unknownAccessGroups };
}

export { parseCurfewInput, parseExtension } from './curfew-body.js';
