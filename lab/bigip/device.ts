// State of one emulated BIG-IP unit.
import type { FailoverState } from '../../src/core/model.js';
import { emptyCounters, FaultInjector, type LabCounters, type RequestKind } from './faults.js';
import type { SessionSet } from './session-set.js';
import { TokenStore } from './tokens.js';

export interface LabDeviceIdentity {
  /** `machineId` (UUID), the key curfew knows the device by. */
  id: string;
  hostname: string;
  /** HA cluster name, or null for a standalone unit. */
  cluster: string | null;
  accessGroup: string | null;
}

export class LabDevice {
  readonly tokens = new TokenStore();
  readonly faults: FaultInjector;
  counters: LabCounters = emptyCounters();
  latencyMs = 0;
  port = 0;
  private operationId = 0;

  constructor(
    readonly identity: LabDeviceIdentity,
    /** Shared by the members of a cluster; only the ACTIVE member serves it. */
    readonly sessions: SessionSet,
    public failover: Exclude<FailoverState, 'UNKNOWN'>,
    faultSeed: number,
  ) {
    this.faults = new FaultInjector(faultSeed);
  }

  /** The sessions this unit lists and can delete: the shared set while ACTIVE, none while STANDBY. */
  get servedSessions(): SessionSet | null {
    return this.failover === 'ACTIVE' ? this.sessions : null;
  }

  count(kind: RequestKind): void {
    this.counters[kind] += 1;
  }

  /** iControl REST numbers every operation; error bodies carry it as `restOperationId`. */
  nextOperationId(): number {
    this.operationId += 1;
    return this.operationId;
  }
}
