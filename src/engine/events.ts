// In-process engine events, for live views (SSE) and tests. Persistent state is always in the store first.
import { EventEmitter } from 'node:events';
import type { KillTask } from '../core/model.js';
import type { TargetOutcome } from '../store/store.js';

export interface EngineEventMap {
  task: [KillTask];
  targets: [readonly TargetOutcome[]];
  sync: [{ deviceId: string; ok: boolean; sessions: number }];
}

export class EngineEvents extends EventEmitter<EngineEventMap> {}
