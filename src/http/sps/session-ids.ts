// The two ids of a session on the SPS surface (docs/decisions/0004-sps-session-ids.md):
// - `key` (the REST object key, in /api/audit/sessions/<key>): base64url of `<device id>/<native id>`. URL-safe in a
//   path segment, unique across the fleet, stable for the session's life, and reversible, so no lookup table is kept.
// - `session_id` (what DELETE /api/active-sessions?id= takes): `<device hostname>/<native id>`, readable and safe raw
//   in a query string; the device part is cut at the first `/`, so a native id may itself contain `/` and `:`
//   (SPS ids such as `svc/rpokH8fD9kx6CaxNLznKx2/test:12`). Hostnames and device ids never contain `/`.

export interface SessionRef {
  deviceId: string;
  sessionId: string;
}

export function sessionKey(deviceId: string, sessionId: string): string {
  return Buffer.from(`${deviceId}/${sessionId}`, 'utf8').toString('base64url');
}

/** Undefined unless `key` is a canonical key (re-encoding gives it back), so junk never reaches the store. */
export function parseSessionKey(key: string): SessionRef | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return undefined;
  const decoded = Buffer.from(key, 'base64url').toString('utf8');
  const ref = splitAtDevice(decoded);
  return ref && sessionKey(ref.device, ref.sessionId) === key
    ? { deviceId: ref.device, sessionId: ref.sessionId }
    : undefined;
}

export function displaySessionId(hostname: string, sessionId: string): string {
  return `${hostname}/${sessionId}`;
}

/** `<device>/<native id>` → its parts; undefined when either part is empty. */
function splitAtDevice(value: string): { device: string; sessionId: string } | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return undefined;
  return { device: value.slice(0, slash), sessionId: value.slice(slash + 1) };
}
