// The curfew request bodies (set and extend) read into domain values, with messages a client can act on. Each surface
// renders the DomainError('invalid', 'CURFEW_REQUEST', message) in its own format.
//
//   { users?, ips?, query?, fleet? | all?, accessGroups?, clusters?, devices?, until? | duration?, reason, mode? }
//
// `until` is an ISO 8601 time; `duration` an ISO 8601 duration (PT2M, P1DT12H, P2W) or a short one (90s, 2m, 4h, 7d)
// counted from now. Neither: until lifted. Unknown fields are refused, so a typo (`user` for `users`) never sets a
// curfew broader or narrower than meant.
import { parseIpBlock } from './cidr.js';
import type { Curfew, CurfewInput, CurfewMode, CurfewWhere, CurfewWho } from './curfew.js';
import { DomainError } from './errors.js';
import { parseTimeSpan } from './iso-time.js';
import { parseSessionQuery, SessionQueryError } from './session-query.js';

export const CURFEW_LIMITS = {
  /** Entries in each list (users, ips, accessGroups, clusters, devices). */
  maxListLength: 1000,
  /** Characters of one list entry. */
  maxItemLength: 256,
  maxReasonLength: 1024,
  /** The longest duration or distance to `until`: ten years (keeps times far inside safe integers). */
  maxDurationMs: 10 * 366 * 86_400_000,
} as const;

const MODES: readonly CurfewMode[] = ['enforce', 'monitor'];
const FIELDS = new Set([
  'users',
  'ips',
  'query',
  'fleet',
  'all',
  'accessGroups',
  'clusters',
  'devices',
  'until',
  'duration',
  'reason',
  'mode',
]);

type Body = Record<string, unknown>;

const invalid = (message: string) => new DomainError('invalid', 'CURFEW_REQUEST', message);

/** Validates a set-curfew body at `now` (epoch ms); throws DomainError('invalid') with the first problem found. */
export function parseCurfewInput(body: unknown, now: number): CurfewInput {
  const fields = objectOf(body);
  const unknown = Object.keys(fields).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(', ')}; known: ${[...FIELDS].join(', ')}.`);
  return {
    who: whoOf(fields),
    where: whereOf(fields),
    until: endOf(fields, now, null),
    reason: reasonOf(fields.reason),
    mode: modeOf(fields.mode),
  };
}

/**
 * Validates an extend body `{ until? | duration? }` for `curfew` at `now`: returns the new until (epoch ms, later than
 * now), or null for `"until": null` (until lifted). Refuses a curfew that is no longer active (DomainError 'conflict').
 * The new end may be earlier than the old one: "extend" sets the end, it does not only push it out.
 */
export function parseExtension(body: unknown, curfew: Pick<Curfew, 'id' | 'state' | 'until'>, now: number) {
  const fields = objectOf(body);
  const unknown = Object.keys(fields).filter((key) => key !== 'until' && key !== 'duration');
  if (unknown.length > 0) throw invalid(`unknown field(s): ${unknown.join(', ')}; known: until, duration.`);
  if (!('until' in fields) && (fields.duration === undefined || fields.duration === null))
    throw invalid('until or duration is required.');
  if (curfew.state !== 'active' || (curfew.until !== null && curfew.until <= now)) {
    throw new DomainError('conflict', 'CURFEW_NOT_ACTIVE', `curfew ${curfew.id} is no longer active.`);
  }
  return endOf(fields, now, null);
}

function objectOf(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('Request body must be a JSON object.');
  return body as Body;
}

function whoOf(fields: Body): CurfewWho {
  const users = stringList(fields, 'users');
  const ips = stringList(fields, 'ips');
  for (const ip of ips) {
    try {
      parseIpBlock(ip);
    } catch (err) {
      throw invalid(`ips: ${(err as Error).message}.`);
    }
  }
  const query = queryOf(fields.query);
  if (users.length + ips.length === 0 && query === null)
    throw invalid('Say who the curfew is for: users, ips or query (at least one).');
  return { users, ips, query };
}

function queryOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid('query must be a string.');
  if (value.trim() === '') return null;
  try {
    if (parseSessionQuery(value) === undefined) return null;
  } catch (err) {
    if (err instanceof SessionQueryError) throw invalid(`query: ${err.message}.`);
    throw err;
  }
  return value;
}

function whereOf(fields: Body): CurfewWhere {
  const all = flag(fields, 'fleet') || flag(fields, 'all');
  const where = {
    all,
    accessGroupNames: stringList(fields, 'accessGroups'),
    clusterNames: stringList(fields, 'clusters'),
    deviceIds: stringList(fields, 'devices'),
  };
  if (!all && where.accessGroupNames.length + where.clusterNames.length + where.deviceIds.length === 0) {
    throw invalid('Say where the curfew applies: fleet: true, or accessGroups, clusters or devices.');
  }
  return where;
}

function flag(fields: Body, name: string): boolean {
  const value = fields[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean.`);
  return value;
}

function stringList(fields: Body, name: string): string[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalid(`${name} must be an array of strings.`);
  const { maxListLength, maxItemLength } = CURFEW_LIMITS;
  if (value.length > maxListLength) throw invalid(`${name} may list at most ${maxListLength} entries.`);
  const items = [...new Set((value as string[]).map((item) => item.trim()))].filter((item) => item !== '');
  const long = items.find((item) => item.length > maxItemLength);
  if (long !== undefined) throw invalid(`${name}: an entry is longer than ${maxItemLength} characters.`);
  return items;
}

function reasonOf(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    throw invalid('reason is required: say why the curfew is set.');
  if (typeof value !== 'string') throw invalid('reason must be a string.');
  const reason = value.trim();
  if (reason.length > CURFEW_LIMITS.maxReasonLength)
    throw invalid(`reason is longer than ${CURFEW_LIMITS.maxReasonLength} characters.`);
  return reason;
}

function modeOf(value: unknown): CurfewMode {
  if (value === undefined || value === null) return 'enforce';
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as CurfewMode;
  throw invalid(`mode must be one of ${MODES.join(', ')}.`);
}

/** The end a body asks for: `until` or `duration` (not both), else `absent`; later than `now`, within the cap. */
function endOf(fields: Body, now: number, absent: number | null): number | null {
  const { until, duration } = fields;
  const hasUntil = until !== undefined;
  const hasDuration = duration !== undefined && duration !== null;
  if (hasUntil && hasDuration) throw invalid('Give until or duration, not both.');
  let end: number;
  if (hasDuration) {
    if (typeof duration !== 'string') throw invalid('duration must be a string such as PT2H, 90s, 2m, 4h or 7d.');
    const ms = durationMs(duration);
    if (ms === undefined) throw invalid(`duration "${duration}" is not one such as PT2H, P1DT12H, 90s, 2m, 4h or 7d.`);
    if (ms <= 0) throw invalid('duration must be longer than zero.');
    end = now + ms;
  } else if (hasUntil && until !== null) {
    if (typeof until !== 'string') throw invalid('until must be an ISO 8601 time such as 2026-12-31T18:00:00Z.');
    const span = parseTimeSpan(until.trim());
    if (!span) throw invalid(`until "${until}" is not an ISO 8601 time such as 2026-12-31T18:00:00Z.`);
    end = span.start;
    if (end <= now) throw invalid(`until ${until} is not in the future.`);
  } else {
    return absent;
  }
  if (end - now > CURFEW_LIMITS.maxDurationMs)
    throw invalid('A curfew can last at most ten years; omit until to set one until lifted.');
  return end;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT_MS: Readonly<Record<string, number>> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY };
const SHORT = /^(\d{1,9})([smhd])$/;
// Days, hours and minutes whole; seconds may have a fraction. Years and months are refused: their length varies.
const ISO_DURATION =
  /^P(?:(\d{1,9})W|(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:[.,]\d{1,3})?)S)?)?)$/i;

/** Milliseconds of `90s` / `2m` / `4h` / `7d` or an ISO 8601 duration without years or months; undefined otherwise. */
export function durationMs(text: string): number | undefined {
  const short = SHORT.exec(text.trim());
  if (short) return Number(short[1]) * (UNIT_MS[short[2] ?? ''] ?? 0);
  const iso = ISO_DURATION.exec(text.trim());
  // `P` and `PT` alone name no duration.
  if (!iso || /^PT?$/i.test(text.trim()) || /T$/i.test(text.trim())) return undefined;
  const [, weeks, days, hours, minutes, seconds] = iso;
  const n = (part: string | undefined) => Number((part ?? '0').replace(',', '.'));
  return Math.round(n(weeks) * 7 * DAY + n(days) * DAY + n(hours) * HOUR + n(minutes) * MINUTE + n(seconds) * SECOND);
}
