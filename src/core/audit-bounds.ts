// Bounds on what one audit event may store. Events record what clients sent (a user name at a failed login, a kill
// request's selector), and some are written before anyone is authenticated: without bounds, each request could add
// a megabyte to the database and one long value could break every page that shows the log.
import type { AuditEvent } from './model.js';

/** Longest actor, subject, action or address kept, in UTF-16 code units, marker included. */
export const MAX_AUDIT_NAME = 128;
/** Longest string kept inside `details`. */
export const MAX_AUDIT_TEXT = 1024;
/** Most array items or object fields inside `details`, a marker counting the rest included (bounding is idempotent). */
export const MAX_AUDIT_ITEMS = 100;
const MAX_DEPTH = 6;
/** Ends every cut value, so a reader knows it was cut. */
export const CUT = '…';

/** `value` cut to at most `max` code units (the last being CUT), never splitting a surrogate pair. */
export function truncate(value: string, max: number = MAX_AUDIT_NAME): string {
  if (value.length <= max) return value;
  let end = max - CUT.length;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}${CUT}`;
}

function boundValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return truncate(value, MAX_AUDIT_TEXT);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return CUT;
  if (Array.isArray(value)) {
    if (value.length <= MAX_AUDIT_ITEMS) return value.map((item) => boundValue(item, depth + 1));
    const kept = value.slice(0, MAX_AUDIT_ITEMS - 1).map((item) => boundValue(item, depth + 1));
    return [...kept, `${CUT} ${value.length - kept.length} more`];
  }
  const entries = Object.entries(value);
  const cut = entries.length > MAX_AUDIT_ITEMS;
  const kept: [string, unknown][] = entries
    .slice(0, cut ? MAX_AUDIT_ITEMS - 1 : MAX_AUDIT_ITEMS)
    .map(([key, item]) => [truncate(key, MAX_AUDIT_NAME), boundValue(item, depth + 1)]);
  if (cut) kept.push([CUT, `${entries.length - kept.length} more fields`]);
  return Object.fromEntries(kept);
}

/** The event as it may be stored: every string bounded, `details` cut in depth and breadth. */
export function boundAuditEvent(event: AuditEvent): AuditEvent {
  return {
    ...event,
    actor: truncate(event.actor),
    address: truncate(event.address),
    action: truncate(event.action),
    subject: truncate(event.subject),
    details: boundValue(event.details, 0) as Record<string, unknown>,
  };
}
