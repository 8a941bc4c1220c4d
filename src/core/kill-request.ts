// Building a kill task from a request: validation every surface shares, before any vendor-specific checks.
import { randomUUID } from 'node:crypto';
import { DomainError } from './errors.js';
import { SCOPE_MISSING } from './kill-request-body.js';
import { KILL_ACTIONS, type KillSelector, type KillTask } from './model.js';

export interface Actor {
  name: string;
  address: string;
}

/**
 * Throws DomainError('invalid') when the selector cannot describe a kill: the same rules and messages as the request
 * body's (kill-request-body.ts), for selectors built in code rather than read from a request.
 */
export function validateSelector(selector: KillSelector): void {
  const invalid = (code: string, message: string) => new DomainError('invalid', code, message);
  if (!KILL_ACTIONS.includes(selector.action)) {
    throw invalid(
      'UNKNOWN_ACTION',
      `action ${selector.action} is not supported; use one of ${KILL_ACTIONS.join(', ')}.`,
    );
  }
  if (selector.action === 'KILL_BY_LIST_OF_SESSIONS') {
    if (selector.sessions.length === 0) throw invalid('SESSIONS_MISSING', 'sessions are missing.');
    for (const entry of selector.sessions) {
      if (entry.sessionIds.length === 0) {
        throw invalid('SESSION_IDS_MISSING', `sessionIds are missing for device ${entry.deviceId}`);
      }
    }
    return;
  }
  const scoped =
    selector.all || selector.accessGroupNames.length + selector.clusterNames.length + selector.deviceIds.length > 0;
  if (!scoped) throw invalid('SCOPE_MISSING', SCOPE_MISSING);
  if (selector.action === 'KILL_BY_USER' && !selector.userName)
    throw invalid('USER_NAME_MISSING', 'userName is missing.');
}

export function newKillTask(
  selector: KillSelector,
  actor: Actor,
  now = Date.now(),
  id: string = randomUUID(),
): KillTask {
  validateSelector(selector);
  return {
    id,
    selector,
    status: 'CREATED',
    step: 'RESOLVE_DEVICES',
    result: 'PENDING',
    errorMessage: null,
    requestedBy: actor.name,
    requestedFrom: actor.address,
    createdAt: now,
    startedAt: null,
    endedAt: null,
    generation: 1,
    updatedMicros: now * 1000,
  };
}

/** Fills the optional list fields so callers can pass only what they mean. */
export function selectorOf(partial: Partial<KillSelector> & Pick<KillSelector, 'action'>): KillSelector {
  return { accessGroupNames: [], clusterNames: [], deviceIds: [], sessions: [], ...partial };
}
