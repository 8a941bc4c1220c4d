// Which recorded session an id names, in every form SPS clients send (docs/decisions/0004-sps-session-ids.md):
// curfew's key, the `<device>/<native id>` session_id, or — as One Identity's guide writes it — the bare native id
// (`svc/rpokH8fD9kx6CaxNLznKx2/test:12`), which names a session only while exactly one device holds it.

import type { SessionWithDevice } from '../../engine/records.js';
import type { SessionService } from '../../engine/services/sessions.js';
import { SpsError } from './errors.js';
import { parseSessionKey } from './session-ids.js';
import { keyOf, SESSIONS_HREF, sessionBody } from './sessions.render.js';

/** Holders of a bare id named in an ambiguity error (devices are few; this only bounds the answer). */
const MAX_CANDIDATES = 20;

export interface LookupOptions {
  /** Only ongoing sessions count (ending one): an ended twin on another device does not make an id ambiguous. */
  activeOnly: boolean;
}

/**
 * The session `id` names, or undefined. Throws 409 SessionIdAmbiguous, naming the candidates, when `id` is a bare
 * native id that several devices hold.
 */
export async function findSessionById(
  sessions: Pick<SessionService, 'find' | 'findShown' | 'findByNativeId'>,
  id: string,
  options: LookupOptions,
): Promise<SessionWithDevice | undefined> {
  const counts = (session: SessionWithDevice | undefined) =>
    session !== undefined && (!options.activeOnly || session.endedAt === null);
  const ref = parseSessionKey(id);
  const byKey = ref && (await sessions.find(ref.deviceId, ref.sessionId));
  if (counts(byKey)) return byKey;
  const bySessionId = await sessions.findShown(id, options.activeOnly);
  if (bySessionId) return bySessionId;
  const holders = (await sessions.findByNativeId(id, MAX_CANDIDATES + 1)).filter(counts);
  if (holders.length > 1) throw ambiguous(id, holders);
  return holders[0];
}

function ambiguous(id: string, holders: readonly SessionWithDevice[]): SpsError {
  const shown = holders.slice(0, MAX_CANDIDATES);
  const count = holders.length > MAX_CANDIDATES ? `more than ${MAX_CANDIDATES}` : String(holders.length);
  const now = Date.now();
  const candidates = shown.map((session) => {
    const key = keyOf(session);
    const body = sessionBody(session, now);
    return {
      key,
      session_id: body.session_id,
      active: body.active,
      device: { key: body.device.key, name: body.device.name },
      meta: { href: `${SESSIONS_HREF}/${key}` },
    };
  });
  return new SpsError(
    409,
    'SessionIdAmbiguous',
    `The session id "${id}" is held by ${count} devices; name one by its key or its session_id (<device>/<id>).`,
    { id, candidates },
  );
}
