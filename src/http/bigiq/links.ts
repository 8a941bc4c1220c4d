// BIG-IQ's link and envelope conventions (docs/compat/bigiq.md §2–3), shared by every /mgmt route: selfLinks and
// references always name `https://localhost/mgmt/…` (never the real host), times use BIG-IQ's task format, and
// collections carry the same wrapper keys whatever their items.

export const LOCALHOST = 'https://localhost';

export const MACHINE_ID_RESOLVER_PATH = '/mgmt/cm/system/machineid-resolver';
export const DEVICE_GROUPS_PATH = '/mgmt/shared/resolver/device-groups';

/** A BIG-IQ reference object. */
export interface Reference {
  link: string;
}

/** `https://localhost` + a `/mgmt/…` path. */
export function localLink(path: string): string {
  return `${LOCALHOST}${path}`;
}

export function reference(link: string): Reference {
  return { link };
}

/** The device reference BIG-IQ clients pass around: the machineid-resolver selfLink. */
export function machineIdLink(machineId: string): string {
  return localLink(`${MACHINE_ID_RESOLVER_PATH}/${encodeURIComponent(machineId)}`);
}

export function deviceGroupLink(groupName: string): string {
  return localLink(`${DEVICE_GROUPS_PATH}/${encodeURIComponent(groupName)}`);
}

/** A device as a member of a device group (the selfLink of `…/device-groups/<g>/devices` items). */
export function groupDeviceLink(groupName: string, machineId: string): string {
  return `${deviceGroupLink(groupName)}/devices/${encodeURIComponent(machineId)}`;
}

// Accepted prefixes: `https://localhost/mgmt`, `http://localhost/mgmt` (optionally with a port, like the framework's
// internal `http://localhost:8100`), `/mgmt` and nothing (`/cm/…`). The resolver path may repeat: F5's own BULK
// script sends `…/machineid-resolver/cm/system/machineid-resolver/<id>`.
const RESOLVER_LINK =
  /^(?:https?:\/\/localhost(?::\d+)?)?(?:\/mgmt)?(?:\/cm\/system\/machineid-resolver)+\/([^/?#\s]+)\/?$/;
// A device-group member's selfLink (`…/device-groups/<group>/devices/<id>`) names the same device.
const GROUP_MEMBER_LINK =
  /^(?:https?:\/\/localhost(?::\d+)?)?(?:\/mgmt)?\/shared\/resolver\/device-groups\/[^/?#\s]+\/devices\/([^/?#\s]+)\/?$/;

/**
 * The machine id a device reference points at (a machineid-resolver link or a device-group member's selfLink), or
 * undefined when the link is neither.
 * The id is the trailing path segment taken as is: BIG-IQ's own examples carry malformed UUIDs
 * (`3f320100-2177-42e0-8a46-2e33cd3366d`), which must resolve to "item not found", not to a parse error.
 */
export function deviceIdFromLink(link: string): string | undefined {
  const trimmed = link.trim();
  const id = RESOLVER_LINK.exec(trimmed)?.[1] ?? GROUP_MEMBER_LINK.exec(trimmed)?.[1];
  if (id === undefined) return undefined;
  try {
    return decodeURIComponent(id);
  } catch {
    // A malformed escape: the id as sent, which then matches no device (a 404, not a 500).
    return id;
  }
}

/** Epoch microseconds, BIG-IQ's `lastUpdateMicros`. */
export function nowMicros(): number {
  return Date.now() * 1000;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** BIG-IQ task time: local time with milliseconds and a colon-less offset, e.g. `2016-11-15T12:42:31.294-0800`. */
export function bigiqTime(ms: number): string {
  const date = new Date(ms);
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

export interface Collection<T> {
  items: T[];
  totalItems: number;
  generation: number;
  kind: string;
  lastUpdateMicros: number;
  selfLink: string;
}

/**
 * The collection envelope (§3). `items` is always an array and `totalItems` always present: ANS reads
 * `totalItems` unguarded and BIGREST indexes `items`. Views computed per request have no change counter of their
 * own, so `generation` is 0 (as in BIG-IQ's filtered-collection example) and `lastUpdateMicros` is now.
 */
export function collection<T>(kind: string, selfLink: string, items: T[], totalItems: number): Collection<T> {
  return { items, totalItems, generation: 0, kind, lastUpdateMicros: nowMicros(), selfLink };
}
