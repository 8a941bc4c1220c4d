// Sessions for the edges: the fleet-wide search (active and ended, with their device), one session's record, counts
// per field, and ending one session with a verified kill task (waited for, bounded).
import { type Actor, selectorOf } from '../../core/kill-request.js';
import type { KillTask, TaskTarget } from '../../core/model.js';
import type { SessionQueryAst } from '../../core/session-query.js';
import type {
  SessionCountField,
  SessionCounts,
  SessionKill,
  SessionKillStore,
  SessionRef,
  SessionSearch,
  SessionSearchResult,
  SessionStatsStore,
  SessionStore,
  SessionWithDevice,
} from '../../store/store.js';
import type { TaskService } from './tasks.js';

/** How ending one session went: the task as it was when the wait ended, and the device's outcome. */
export interface Termination {
  taskId: string;
  /** Undefined only if the task vanished; not final when the wait ran out. */
  task: KillTask | undefined;
  target: TaskTarget | undefined;
}

export type { SessionWithDevice };

export type SessionReadStore = Pick<
  SessionStore,
  'searchSessions' | 'findSessionRecord' | 'findSessionsByNativeId' | 'inventoryGeneration'
> &
  SessionStatsStore &
  SessionKillStore;

export class SessionService {
  readonly #store: SessionReadStore;
  readonly #tasks: TaskService;

  constructor(store: SessionReadStore, tasks: TaskService) {
    this.#store = store;
    this.#tasks = tasks;
  }

  /** The session shown as `sessionId` (`<device hostname or id>/<native id>`), or undefined; `activeOnly`: ongoing. */
  async findShown(sessionId: string, activeOnly: boolean): Promise<SessionWithDevice | undefined> {
    if (!sessionId.includes('/')) return undefined;
    const shown = { kind: 'text', field: 'session_id', value: sessionId } as const;
    const { rows } = await this.#store.searchSessions({
      query: activeOnly ? { kind: 'and', operands: [shown, { kind: 'verdict', verdicts: ['ACTIVE'] }] } : shown,
      sort: [],
      limit: 1,
      offset: 0,
    });
    return rows[0];
  }

  /** Sessions of any device with this native id (SPS clients send `svc/…:n` bare), at most `limit`. */
  findByNativeId(sessionId: string, limit: number): Promise<SessionWithDevice[]> {
    return this.#store.findSessionsByNativeId(sessionId, limit);
  }

  /** The kill tasks that touched these sessions (for a session's history), the newest `limit`. */
  killsOf(sessions: readonly SessionRef[], limit: number): Promise<SessionKill[]> {
    return this.#store.listSessionKills(sessions, limit);
  }

  /** Ends one session through a kill task (audited and verified like every kill), waiting at most `waitMs`. */
  async terminate(session: SessionWithDevice, actor: Actor, waitMs: number): Promise<Termination> {
    const selector = selectorOf({
      action: 'KILL_BY_LIST_OF_SESSIONS',
      sessions: [{ deviceId: session.device.id, sessionIds: [session.sessionId] }],
    });
    const { id } = await this.#tasks.submit(selector, actor);
    const task = await this.#tasks.waitForFinal(id, waitMs);
    const target = (await this.#tasks.targetsOf([id])).get(id)?.[0];
    return { taskId: id, task, target };
  }

  /**
   * The inventory generation (SessionStore.inventoryGeneration): while it stays the same, search and countBy give the
   * same answers, so the edges may keep what they rendered under it.
   */
  generation(): Promise<number> {
    return this.#store.inventoryGeneration();
  }

  search(search: SessionSearch): Promise<SessionSearchResult> {
    return this.#store.searchSessions(search);
  }

  /** One session, active or ended; undefined when unknown (or purged). */
  find(deviceId: string, sessionId: string): Promise<SessionWithDevice | undefined> {
    return this.#store.findSessionRecord(deviceId, sessionId);
  }

  countBy(query: SessionQueryAst | undefined, field: SessionCountField, size: number): Promise<SessionCounts> {
    return this.#store.countSessionsBy(query, field, size);
  }
}
