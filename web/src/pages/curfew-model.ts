// Curfews as /api/curfews shows them (docs/curfews.md#api), and the words the console uses for them.
import { get, withQuery } from '../api.js';
import { plural } from '../format.js';

export type CurfewState = 'active' | 'lifted' | 'expired';
export type CurfewMode = 'enforce' | 'monitor';

export interface CurfewBody {
  id: string;
  who: { users: string[]; ips: string[]; query: string | null };
  where: { fleet: boolean; access_groups: string[]; clusters: string[]; devices: string[] };
  until: string | null;
  reason: string;
  mode: CurfewMode;
  set_by: string;
  set_from: string;
  created: string;
  updated: string;
  updated_by: string | null;
  state: CurfewState;
  ended: string | null;
  ended_by: string | null;
  violations: number;
  remaining_seconds: number | null;
  expiring: boolean;
}

export interface CurfewItem {
  key: string;
  body: CurfewBody;
}

export interface CurfewPage {
  items: CurfewItem[];
  meta: { total: number; counts: Record<CurfewState, number> };
}

export interface ViolationBody {
  device: { key: string; hostname: string | null };
  session_id: string;
  user: string;
  client_ip: string;
  action: 'killed' | 'seen';
  task_id: string | null;
  seen: string;
}

export type PreventionStatus = 'in_sync' | 'drifted' | 'unreachable' | 'unsupported';

export interface PreventionBody {
  device: { key: string; hostname: string; kind: string };
  status: PreventionStatus | null;
  records: string | null;
  checked: string | null;
  message: string | null;
}

export const CURFEWS = '/api/curfews';
export const curfewHref = (id: string) => `${CURFEWS}/${encodeURIComponent(id)}`;
/** The console's page of one curfew. */
export const curfewPath = (id: string) => `/curfews/${encodeURIComponent(id)}`;

export const listCurfews = (state: string, limit: number, offset: number) =>
  get<CurfewPage>(withQuery(CURFEWS, { state, limit, offset }));

/** "Until when" as a request field: a duration from now, an ISO time, or until lifted. */
export type End = { kind: 'duration'; duration: string } | { kind: 'until'; local: string } | { kind: 'lifted' };

/** The end as body fields (`duration`, `until`); `{}` for a new curfew until lifted, `{until: null}` to extend so. */
export function endFields(end: End, extending: boolean): Record<string, string | null> {
  if (end.kind === 'duration') return { duration: end.duration.trim() };
  if (end.kind === 'until') {
    const at = new Date(end.local);
    return { until: Number.isNaN(at.getTime()) ? end.local : at.toISOString() };
  }
  return extending ? { until: null } : {};
}

/** Who a curfew keeps out, in one line. */
export function whoOf(who: CurfewBody['who']): string {
  const parts: string[] = [];
  if (who.users.length > 0) parts.push(who.users.join(', '));
  if (who.ips.length > 0) parts.push(who.ips.join(', '));
  if (who.query) parts.push(`query: ${who.query}`);
  return parts.join(' · ');
}

/** Where it applies, in one line; device keys shown by host name when known. */
export function whereOf(where: CurfewBody['where'], hostnames: ReadonlyMap<string, string>): string {
  if (where.fleet) return 'whole fleet';
  const parts: string[] = [];
  if (where.access_groups.length > 0)
    parts.push(
      `${where.access_groups.length === 1 ? 'access group' : 'access groups'} ${where.access_groups.join(', ')}`,
    );
  if (where.clusters.length > 0)
    parts.push(`${where.clusters.length === 1 ? 'cluster' : 'clusters'} ${where.clusters.join(', ')}`);
  if (where.devices.length > 0) {
    const names = where.devices.map((key) => hostnames.get(key) ?? key);
    parts.push(names.length > 3 ? plural(names.length, 'device') : names.join(', '));
  }
  return parts.join(' · ');
}

export const STATUS_LABEL: Record<PreventionStatus | 'unchecked', string> = {
  in_sync: 'in sync',
  drifted: 'drifted',
  unreachable: 'unreachable',
  unsupported: 'unsupported',
  unchecked: 'not checked',
};

/** Words separated by commas, spaces or new lines; empty ones dropped. */
export const wordsOf = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter((w) => w !== '');

/** `datetime-local` value (the viewer's time zone) `minutes` from now. */
export function localInput(minutesFromNow: number): string {
  const at = new Date(Date.now() + minutesFromNow * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
