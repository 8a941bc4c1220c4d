// A fleet of emulated standalone SPS appliances in one process: one HTTPS listener per appliance on 127.0.0.1, sharing
// one certificate. Synthetic sessions come from a seeded PRNG, so the same seed yields the same fleet.
import type { Server } from 'node:https';
import { pick, type Random, randomClientIp, randomMachineId, seededRandom, userPool } from '../bigip/synthetic.js';
import { ControlError, type ControlTarget } from '../control.js';
import { FleetBase, LAB_ADDRESS, listenAll, wholeNumber } from '../fleet-base.js';
import { emptySpsCounters, type RecordedSession, type SpsCounters, SpsDevice, type SpsProtocol } from './device.js';
import { createSpsServer } from './server.js';

export interface SpsLabFleetOptions {
  devices: number;
  /** Active sessions on each appliance. */
  sessionsPerDevice: number;
  /** Closed sessions each appliance keeps in its audit log (default 2), so `active:true` has something to leave out. */
  closedSessionsPerDevice?: number;
  /** User names, or a count n for `user0..user<n-1>`. Default 100, so the same users show up on many appliances. */
  users?: readonly string[] | number;
  /** Number of access groups `group-1..group-n`, assigned round robin (default 2; 0 = none). */
  accessGroups?: number;
  /** Password of the `admin` login; default `CURFEW_LAB_PASSWORD`, else `admin`. */
  password?: string;
  /** Added to every response (default 0). */
  latencyMs?: number;
  /** Seed of all synthetic data (default 1). */
  seed?: number;
  /** Hostnames are `<prefix><n>.lab.local` (default `sps-`). */
  hostnamePrefix?: string;
  /** Appliance n listens on `basePort + n`; 0 (default) picks ephemeral ports. */
  basePort?: number;
  /** Idle timeout of REST logins (default 600 s, the `remaining_seconds` of the documented samples). */
  loginIdleSec?: number;
}

export interface SpsLabDeviceInfo {
  id: string;
  hostname: string;
  address: string;
  port: number;
  accessGroup: string | null;
}

export interface NewSpsSession {
  user: string;
  clientIp: string;
  /** Default SSH. */
  protocol?: SpsProtocol;
}

/** An active session as the lab holds it (not as the REST API shows it). */
export interface SpsLabSession {
  /** The `svc/<key>/<policy>:<n>` id. */
  sessionId: string;
  key: string;
  user: string;
  clientIp: string;
  protocol: SpsProtocol;
  startedAt: number;
}

/** Connection policy, target port and server-side account per protocol. */
const PROTOCOLS: Record<SpsProtocol, { policy: string; port: number; serverUser: string }> = {
  SSH: { policy: 'ssh-servers', port: 22, serverUser: 'root' },
  RDP: { policy: 'rdp-servers', port: 3389, serverUser: 'Administrator' },
};
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const HOUR_MS = 3_600_000;
/** Mixed into the seed of the synthetic data (see SpsLabFleet.start). */
const SPS_STREAM = 0x5b5;

/** 22 base58 characters, the shape of SPS session keys (`rUhhQZ3jYsY1NDWYp9DEpq`). */
function randomKey(random: Random): string {
  return Array.from({ length: 22 }, () => BASE58[Math.floor(random() * BASE58.length)]).join('');
}

function randomPort(random: Random): number {
  return 1024 + Math.floor(random() * 64_000);
}

/** A session id chosen by the caller, already split into its parts. */
interface FixedId {
  sessionId: string;
  key: string;
  connectionPolicy: string;
}

/** Records a session started `ageMs` ago, with a key unused on this appliance (or the caller's `fixed` id). */
function recordSession(
  device: SpsDevice,
  random: Random,
  session: NewSpsSession,
  ageMs: number,
  fixed?: FixedId,
): RecordedSession {
  const protocol = session.protocol ?? 'SSH';
  const { policy, port, serverUser } = PROTOCOLS[protocol];
  let key = fixed?.key ?? randomKey(random);
  while (!fixed && device.audit.hasKey(key)) key = randomKey(random);
  return device.audit.record({
    key,
    sessionId: fixed?.sessionId,
    gatewayUser: session.user,
    serverUser,
    clientIp: session.clientIp,
    clientPort: randomPort(random),
    protocol,
    connectionPolicy: fixed?.connectionPolicy ?? policy,
    targetIp: `172.16.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`,
    targetPort: port,
    startMs: Date.now() - ageMs,
  });
}

function fillDevice(device: SpsDevice, options: SpsLabFleetOptions, users: readonly string[], random: Random): void {
  const closed = wholeNumber(options.closedSessionsPerDevice ?? 2, 'closedSessionsPerDevice');
  const synthetic = (): NewSpsSession => ({
    user: pick(random, users),
    clientIp: randomClientIp(random),
    protocol: random() < 0.7 ? 'SSH' : 'RDP',
  });
  for (let index = 0; index < closed; index++) {
    const record = recordSession(device, random, synthetic(), (8 + random() * 16) * HOUR_MS);
    device.audit.end(record, record.startMs + (1 + random() * 59) * 60_000, 'ACCEPT');
  }
  for (let index = 0; index < options.sessionsPerDevice; index++) {
    recordSession(device, random, synthetic(), random() * 8 * HOUR_MS);
  }
}

function buildDevices(options: SpsLabFleetOptions, random: Random): SpsDevice[] {
  const count = wholeNumber(options.devices, 'devices');
  wholeNumber(options.sessionsPerDevice, 'sessionsPerDevice');
  const groups = wholeNumber(options.accessGroups ?? 2, 'accessGroups');
  const users = userPool(options.users ?? 100);
  const prefix = options.hostnamePrefix ?? 'sps-';
  const seed = options.seed ?? 1;
  const loginIdleSec = options.loginIdleSec ?? 600;
  if (!(loginIdleSec > 0)) throw new Error(`loginIdleSec must be > 0, got ${loginIdleSec}`);
  return Array.from({ length: count }, (_, index) => {
    const identity = {
      id: randomMachineId(random),
      hostname: `${prefix}${index + 1}.lab.local`,
      accessGroup: groups > 0 ? `group-${(index % groups) + 1}` : null,
    };
    const device = new SpsDevice(identity, loginIdleSec, seed + index + 1);
    device.latencyMs = options.latencyMs ?? 0;
    fillDevice(device, options, users, random);
    return device;
  });
}

/** `svc/<key>/<connection policy>:<n>`; keys and policies are kept to characters safe in a URL path. */
const SESSION_ID = /^svc\/([A-Za-z0-9]{1,64})\/([A-Za-z0-9_-]{1,64}):(\d{1,9})$/;

/** The caller's session id split into its parts; refused (400) when not of the SPS form, (409) when taken. */
function fixedId(device: SpsDevice, sessionId: string): FixedId {
  const [, key, connectionPolicy] = SESSION_ID.exec(sessionId) ?? [];
  if (key === undefined || connectionPolicy === undefined) {
    throw new ControlError(400, 'sessionId must have the SPS form svc/<key>/<connection policy>:<n>');
  }
  if (device.audit.hasKey(key) || device.audit.findBySessionId(sessionId)) {
    throw new ControlError(409, `session ${sessionId} (or its key) already exists`);
  }
  return { sessionId, key, connectionPolicy };
}

/** The lab control API's view of one appliance: a login starts an active session now; the listing is the active ones. */
function controlTarget(device: SpsDevice, random: Random): ControlTarget {
  return {
    device,
    addSession({ user, clientIp = randomClientIp(random), sessionId }) {
      if (sessionId === undefined) return recordSession(device, random, { user, clientIp }, 0).sessionId;
      const fixed = fixedId(device, sessionId);
      const protocol = fixed.connectionPolicy === PROTOCOLS.RDP.policy ? 'RDP' : 'SSH';
      return recordSession(device, random, { user, clientIp, protocol }, 0, fixed).sessionId;
    },
    sessions: () =>
      device.audit.active().map((record) => ({
        sessionId: record.sessionId,
        user: record.gatewayUser,
        clientIp: record.clientIp,
      })),
  };
}

export class SpsLabFleet extends FleetBase<SpsDevice> {
  private constructor(
    devices: SpsDevice[],
    servers: Server[],
    password: string,
    certificate: string,
    /** Session keys and ports, for the fleet's methods and the control API alike. */
    private readonly random: Random,
  ) {
    super(devices, servers, password, certificate);
  }

  static async start(options: SpsLabFleetOptions): Promise<SpsLabFleet> {
    const seed = options.seed ?? 1;
    const password = options.password ?? process.env.CURFEW_LAB_PASSWORD ?? 'admin';
    // Not the BIG-IP lab's stream: with the same seed, appliances would otherwise get the machine ids of BIG-IP units.
    const devices = buildDevices(options, seededRandom(seed ^ SPS_STREAM));
    const basePort = wholeNumber(options.basePort ?? 0, 'basePort');
    const random = seededRandom(seed ^ 0x5eed);
    const { servers, certificate } = await listenAll(devices, basePort, (device, tls) =>
      createSpsServer(device, tls, password, controlTarget(device, random)),
    );
    return new SpsLabFleet(devices, servers, password, certificate, random);
  }

  get devices(): SpsLabDeviceInfo[] {
    return this.labDevices.map((device) => this.describe(device));
  }

  device(deviceId: string): SpsLabDeviceInfo {
    return this.describe(this.find(deviceId));
  }

  /** Starts a session on the appliance now; returns its `svc/…` session id. */
  addSession(deviceId: string, session: NewSpsSession): string {
    return recordSession(this.find(deviceId), this.random, session, 0).sessionId;
  }

  /** The sessions the appliance really has open right now (closed ones stay only in its audit log). */
  sessions(deviceId: string): SpsLabSession[] {
    return this.find(deviceId)
      .audit.active()
      .map((record) => ({
        sessionId: record.sessionId,
        key: record.key,
        user: record.gatewayUser,
        clientIp: record.clientIp,
        protocol: record.protocol,
        startedAt: record.startMs,
      }));
  }

  counters(deviceId: string): SpsCounters {
    return { ...this.find(deviceId).counters };
  }

  resetCounters(): void {
    for (const device of this.labDevices) device.counters = emptySpsCounters();
  }

  /** REST logins (`session_id` cookies) not yet idled out. */
  liveLogins(deviceId: string): number {
    return this.find(deviceId).logins.live();
  }

  /** Forgets every login of the appliance, as a restart of its REST server would. */
  revokeLogins(deviceId: string): void {
    this.find(deviceId).logins.revokeAll();
  }

  private describe(device: SpsDevice): SpsLabDeviceInfo {
    const { id, hostname, accessGroup } = device.identity;
    return { id, hostname, address: LAB_ADDRESS, port: device.port, accessGroup };
  }
}
