// In-process engine events, for live views (SSE) and tests. Persistent state is always in the store first.
import { EventEmitter } from 'node:events';
import type { DeviceSession } from '../connectors/connector.js';
import type { Device, KillTask } from '../core/model.js';
import type { TargetOutcome } from '../store/store.js';

export interface EngineEventMap {
  task: [KillTask];
  targets: [readonly TargetOutcome[]];
  sync: [{ deviceId: string; ok: boolean; sessions: number }];
  /** A sync listed a device (curfew enforcement checks the listing without listing again). */
  listed: [{ device: Device; sessions: readonly DeviceSession[] }];
}

export class EngineEvents extends EventEmitter<EngineEventMap> {}
