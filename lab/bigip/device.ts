// State of one emulated BIG-IP unit.
import type { FailoverState } from '../../src/core/model.js';
import { DataGroupStore, DEFAULT_POLICY_DATA_GROUP, type PolicySetting } from './data-groups.js';
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
  /** Per unit: the lab does not emulate config sync between the members of a pair. */
  readonly dataGroups = new DataGroupStore();
  /** On by default, so a user put in the default group is kept out without further setup. */
  policy: PolicySetting = { installed: true, dataGroup: DEFAULT_POLICY_DATA_GROUP };
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

  /** True when the access policy refuses `user` at logon (the iRule finds it in the policy's data group). */
  deniesLogon(user: string): boolean {
    return this.policy.installed && this.dataGroups.hasRecord(this.policy.dataGroup, user);
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
