// ISO 8601 times as search values (`start_time:2026-01-01`, `?start=2017-01-25T10:00`). A value names the span of its
// precision: a date is that whole day, `10:00` that minute, `10:00:05` that second. A value without an offset is UTC,
// so a query means the same on every server.

export interface TimeSpan {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** The span an ISO 8601 date or date-time denotes; undefined when the text is not one (or names no real day). */
export function parseTimeSpan(text: string): TimeSpan | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = m.map((part) => part ?? '');
  const fields = [year, month, day, hour || '0', minute || '0', second || '0'].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = fields;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-31 over into March; a real calendar day reads back unchanged.
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  const millis = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  const start = utc + millis - offsetMs(zone ?? '');
  const precision = !hour ? DAY : !second ? MINUTE : !fraction ? SECOND : 1;
  return { start, end: start + precision };
}

/** `Z`, `+01`, `+0100`, `-01:30` → ms east of UTC. */
function offsetMs(zone: string): number {
  if (zone === '' || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * MINUTE;
}
