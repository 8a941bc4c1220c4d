// Building a kill task from a request: validation every surface shares, before any vendor-specific checks.
import { randomUUID } from 'node:crypto';
import { DomainError } from './errors.js';
import { KILL_ACTIONS, type KillSelector, type KillTask } from './model.js';

export interface Actor {
  name: string;
  address: string;
}

/** Throws DomainError('invalid') when the selector cannot describe a kill. */
export function validateSelector(selector: KillSelector): void {
  if (!KILL_ACTIONS.includes(selector.action)) {
    throw new DomainError('invalid', 'UNKNOWN_ACTION', `unknown action ${selector.action}`);
  }
  if (selector.action === 'KILL_BY_USER' && !selector.userName) {
    throw new DomainError('invalid', 'USER_NAME_MISSING', 'userName is required to kill by user');
  }
  if (selector.action === 'KILL_BY_LIST_OF_SESSIONS') {
    if (selector.sessions.length === 0) throw new DomainError('invalid', 'SESSIONS_MISSING', 'sessions are missing');
    for (const entry of selector.sessions) {
      if (entry.sessionIds.length === 0) {
        throw new DomainError('invalid', 'SESSION_IDS_MISSING', `sessionIds are missing for device ${entry.deviceId}`);
      }
    }
    return;
  }
  const scoped =
    selector.all || selector.accessGroupNames.length + selector.clusterNames.length + selector.deviceIds.length > 0;
  if (!scoped) {
    throw new DomainError('invalid', 'SCOPE_MISSING', 'a kill needs a scope: all, access groups, clusters or devices');
  }
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
