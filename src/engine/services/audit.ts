// The audit trail for the edges: what happened (read, newest first) and recording what an edge saw happen.
import type { AuditEvent } from '../../core/model.js';
import type { AuditQuery, AuditStore } from '../../store/store.js';

export class AuditService {
  readonly #store: AuditStore;

  constructor(store: AuditStore) {
    this.#store = store;
  }

  list(query: AuditQuery): Promise<AuditEvent[]> {
    return this.#store.listAudit(query);
  }

  record(event: Omit<AuditEvent, 'at'> & { at?: number }): Promise<void> {
    return this.#store.appendAudit({ ...event, at: event.at ?? Date.now() });
  }
}
