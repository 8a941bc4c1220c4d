// A fleet of emulated BIG-IP devices in one process: one HTTPS listener per device on 127.0.0.1, sharing one certificate.
import type { Server } from 'node:https';
import type { FailoverState } from '../../src/core/model.js';
import { ControlError, type ControlTarget } from '../control.js';
import { FleetBase, LAB_ADDRESS, listenAll, wholeNumber } from '../fleet-base.js';
import type { DataGroupRecord, PolicySetting } from './data-groups.js';
import { LabDevice } from './device.js';
import { emptyCounters, type LabCounters } from './faults.js';
import { createDeviceServer } from './server.js';
import { type LabSession, SessionSet } from './session-set.js';
import {
  pick,
  type Random,
  randomClientIp,
  randomMachineId,
  randomSessionId,
  seededRandom,
  userPool,
} from './synthetic.js';

export interface LabFleetOptions {
  devices: number;
  /** Sessions on each standalone device and on each HA cluster (served by its ACTIVE member). */
  sessionsPerDevice: number;
  /** User names, or a count n for `user0..user<n-1>`. Default 100, so the same users show up on many devices. */
  users?: readonly string[] | number;
  /** Pair devices into clusters `cluster-1`, `cluster-2`, ... (default true); with an odd count the last one is standalone. */
  haPairs?: boolean;
  /** Number of access groups `group-1..group-n`, assigned round robin by pair (default 2; 0 = none). */
  accessGroups?: number;
  /** Password of the `admin` login; default `CURFEW_LAB_PASSWORD`, else `admin`. */
  password?: string;
  /** Added to every response (default 0). */
  latencyMs?: number;
  /** Seed of all synthetic data (default 1). */
  seed?: number;
  /** Hostnames are `<prefix><n>.lab.local` (default `bigip-`). */
  hostnamePrefix?: string;
  /** Device n listens on `basePort + n`; 0 (default) picks ephemeral ports. */
  basePort?: number;
}

export interface LabDeviceInfo {
  id: string;
  hostname: string;
  address: string;
  port: number;
  cluster: string | null;
  accessGroup: string | null;
  failover: FailoverState;
}

export interface NewLabSession {
  user: string;
  clientIp: string;
  /** Default: a fresh random 8-hex id. */
  sessionId?: string;
}

interface Placement {
  cluster: string | null;
  accessGroup: string | null;
  failover: 'ACTIVE' | 'STANDBY';
}

/** Pairs (0,1), (2,3), ... form clusters whose first member starts ACTIVE; a pair shares its access group. */
function placements(count: number, haPairs: boolean, accessGroups: number): Placement[] {
  return Array.from({ length: count }, (_, index) => {
    const unit = haPairs ? Math.floor(index / 2) : index;
    const paired = haPairs && (index % 2 === 1 || index + 1 < count);
    return {
      cluster: paired ? `cluster-${unit + 1}` : null,
      accessGroup: accessGroups > 0 ? `group-${(unit % accessGroups) + 1}` : null,
      failover: paired && index % 2 === 1 ? 'STANDBY' : 'ACTIVE',
    };
  });
}

function fillSessions(sessions: SessionSet, count: number, users: readonly string[], random: Random): void {
  while (sessions.size < count) {
    const sessionId = randomSessionId(random);
    if (sessions.has(sessionId)) continue;
    sessions.add({ sessionId, user: pick(random, users), clientIp: randomClientIp(random) });
  }
}

function buildDevices(options: LabFleetOptions, random: Random): LabDevice[] {
  const count = wholeNumber(options.devices, 'devices');
  const perDevice = wholeNumber(options.sessionsPerDevice, 'sessionsPerDevice');
  const users = userPool(options.users ?? 100);
  const prefix = options.hostnamePrefix ?? 'bigip-';
  const seed = options.seed ?? 1;
  const clusterSessions = new Map<string, SessionSet>();
  return placements(count, options.haPairs ?? true, wholeNumber(options.accessGroups ?? 2, 'accessGroups')).map(
    (placement, index) => {
      let sessions = placement.cluster ? clusterSessions.get(placement.cluster) : undefined;
      if (!sessions) {
        sessions = new SessionSet();
        fillSessions(sessions, perDevice, users, random);
        if (placement.cluster) clusterSessions.set(placement.cluster, sessions);
      }
      const identity = { ...placement, id: randomMachineId(random), hostname: `${prefix}${index + 1}.lab.local` };
      const device = new LabDevice(identity, sessions, placement.failover, seed + index + 1);
      device.latencyMs = options.latencyMs ?? 0;
      return device;
    },
  );
}

function unusedSessionId(sessions: SessionSet, random: Random): string {
  let sessionId = randomSessionId(random);
  while (sessions.has(sessionId)) sessionId = randomSessionId(random);
  return sessionId;
}

const SESSION_ID = /^[0-9a-f]{8}$/;
const DENIED_BODY = { denied: 'curfew' };

/** A login the emulated access policy refuses: the user is in its data group. */
export class LabLogonDenied extends Error {
  constructor(
    readonly deviceId: string,
    readonly user: string,
  ) {
    super(`device ${deviceId}: the access policy denies ${user} (curfew data group)`);
    this.name = 'LabLogonDenied';
  }
}

/**
 * The lab control API's view of one unit. A login on either member of a pair lands in the set the pair shares, as HA
 * mirroring would put it; the listing is what the unit itself serves (nothing while STANDBY).
 */
function controlTarget(device: LabDevice, random: Random): ControlTarget {
  return {
    device,
    addSession({ user, clientIp, sessionId }) {
      // What the access policy's iRule answers a user it finds in the data group.
      if (device.deniesLogon(user)) throw new ControlError(401, `${user} is denied by the curfew policy`, DENIED_BODY);
      if (sessionId !== undefined && !SESSION_ID.test(sessionId)) {
        throw new ControlError(400, 'sessionId must be 8 lower-case hex characters, like an APM session id');
      }
      if (sessionId !== undefined && device.sessions.has(sessionId)) {
        throw new ControlError(409, `session ${sessionId} already exists`);
      }
      const id = sessionId ?? unusedSessionId(device.sessions, random);
      device.sessions.add({ sessionId: id, user, clientIp: clientIp ?? randomClientIp(random) });
      return id;
    },
    sessions: () => device.servedSessions?.snapshot() ?? [],
    policy: {
      get: () => ({ ...device.policy }),
      set: (policy) => {
        device.policy = { ...policy };
      },
    },
  };
}

export class LabFleet extends FleetBase<LabDevice> {
  private constructor(
    devices: LabDevice[],
    servers: Server[],
    password: string,
    certificate: string,
    /** New session ids and client addresses, for the fleet's methods and the control API alike. */
    private readonly random: Random,
  ) {
    super(devices, servers, password, certificate);
  }

  static async start(options: LabFleetOptions): Promise<LabFleet> {
    const seed = options.seed ?? 1;
    const password = options.password ?? process.env.CURFEW_LAB_PASSWORD ?? 'admin';
    const devices = buildDevices(options, seededRandom(seed));
    const basePort = wholeNumber(options.basePort ?? 0, 'basePort');
    const random = seededRandom(seed ^ 0x5eed);
    const { servers, certificate } = await listenAll(devices, basePort, (device, tls) =>
      createDeviceServer(device, tls, password, controlTarget(device, random)),
    );
    return new LabFleet(devices, servers, password, certificate, random);
  }

  get devices(): LabDeviceInfo[] {
    return this.labDevices.map((device) => this.describe(device));
  }

  device(deviceId: string): LabDeviceInfo {
    return this.describe(this.find(deviceId));
  }

  /**
   * Adds a session to an ACTIVE device (for a cluster: to the sessions it shares); returns the session id. Throws
   * LabLogonDenied for a user the device's access policy refuses, as a login through the control API would be.
   */
  addSession(deviceId: string, session: NewLabSession): string {
    const device = this.find(deviceId);
    const served = device.servedSessions;
    if (!served) throw new Error(`device ${deviceId} is STANDBY; sessions live on the ACTIVE unit`);
    if (device.deniesLogon(session.user)) throw new LabLogonDenied(deviceId, session.user);
    const sessionId = session.sessionId ?? unusedSessionId(served, this.random);
    served.add({ sessionId, user: session.user, clientIp: session.clientIp });
    return sessionId;
  }

  /** The sessions the device really serves right now (none on a STANDBY unit). */
  sessions(deviceId: string): LabSession[] {
    return this.find(deviceId).servedSessions?.snapshot() ?? [];
  }

  /** The device's emulated access policy (as `GET /lab/policy`). */
  policy(deviceId: string): PolicySetting {
    return { ...this.find(deviceId).policy };
  }

  /** Changes the policy of one device, or of every device when `deviceId` is omitted; left-out keys keep their value. */
  setPolicy(change: Partial<PolicySetting>, deviceId?: string): void {
    for (const device of deviceId === undefined ? this.labDevices : [this.find(deviceId)]) {
      device.policy = { ...device.policy, ...change };
    }
  }

  /** The records of a data group on the device, or null when it has none of that path. */
  dataGroupRecords(deviceId: string, path: string): DataGroupRecord[] | null {
    const group = this.find(deviceId).dataGroups.get(path);
    return group ? group.records.map((record) => ({ ...record })) : null;
  }

  counters(deviceId: string): LabCounters {
    return { ...this.find(deviceId).counters };
  }

  resetCounters(): void {
    for (const device of this.labDevices) device.counters = emptyCounters();
  }

  /** Login tokens not yet deleted or expired. */
  liveTokens(deviceId: string): number {
    return this.find(deviceId).tokens.live().length;
  }

  /** Invalidates every token of the device, as a restart of its REST framework would. */
  revokeTokens(deviceId: string): void {
    this.find(deviceId).tokens.revokeAll();
  }

  /** Swaps ACTIVE and STANDBY within the cluster; the sessions follow the ACTIVE unit, as HA mirroring does. */
  failover(cluster: string): void {
    const members = this.labDevices.filter((device) => device.identity.cluster === cluster);
    if (members.length === 0) throw new Error(`no lab cluster ${cluster}`);
    for (const device of members) device.failover = device.failover === 'ACTIVE' ? 'STANDBY' : 'ACTIVE';
  }

  private describe(device: LabDevice): LabDeviceInfo {
    const { id, hostname, cluster, accessGroup } = device.identity;
    return { id, hostname, address: LAB_ADDRESS, port: device.port, cluster, accessGroup, failover: device.failover };
  }
}
