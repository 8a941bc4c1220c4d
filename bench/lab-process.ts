// The lab fleet in its own process, driven over IPC, so benchmarks measure curfew and not the emulators' CPU.
// Messages: {cmd:'start', options} → {devices}; {cmd:'seed', user, perDevice} → {added}; {cmd:'count', user?} →
// {count}; {cmd:'policy', installed} → {}; {cmd:'add', deviceId, user} → {sessionId} (or an error when the access
// policy refuses the user); {cmd:'denied', user, path} → {devices}: how many hold the user in that data group;
// {cmd:'requests', deviceIds} → {requests}: requests those devices served; {cmd:'stop'}.
import { LabFleet, type LabFleetOptions } from '../lab/bigip/emulator.js';

type Request =
  | { id: number; cmd: 'start'; options: LabFleetOptions }
  | { id: number; cmd: 'seed'; user: string; perDevice: number }
  | { id: number; cmd: 'count'; user?: string }
  | { id: number; cmd: 'policy'; installed: boolean }
  | { id: number; cmd: 'add'; deviceId: string; user: string }
  | { id: number; cmd: 'denied'; user: string; path: string }
  | { id: number; cmd: 'requests'; deviceIds: string[] }
  | { id: number; cmd: 'stop' };

let fleet: LabFleet | undefined;

function started(): LabFleet {
  if (!fleet) throw new Error('not started');
  return fleet;
}

function activeDevices(f: LabFleet) {
  return f.devices.filter((d) => d.failover === 'ACTIVE');
}

async function handle(message: Request): Promise<unknown> {
  switch (message.cmd) {
    case 'start':
      fleet = await LabFleet.start(message.options);
      return { devices: fleet.devices };
    case 'seed': {
      if (!fleet) throw new Error('not started');
      let added = 0;
      for (const d of activeDevices(fleet)) {
        for (let i = 0; i < message.perDevice; i++) {
          fleet.addSession(d.id, { user: message.user, clientIp: `198.51.100.${(i % 250) + 1}` });
          added++;
        }
      }
      return { added };
    }
    case 'count': {
      if (!fleet) throw new Error('not started');
      const f = fleet;
      const count = activeDevices(f).reduce(
        (n, d) => n + f.sessions(d.id).filter((s) => message.user === undefined || s.user === message.user).length,
        0,
      );
      return { count };
    }
    case 'policy':
      started().setPolicy({ installed: message.installed });
      return {};
    case 'add':
      return { sessionId: started().addSession(message.deviceId, { user: message.user, clientIp: '203.0.113.9' }) };
    case 'denied': {
      const f = started();
      const devices = f.devices.filter((d) =>
        (f.dataGroupRecords(d.id, message.path) ?? []).some((r) => r.name === message.user),
      ).length;
      return { devices };
    }
    case 'requests': {
      const f = started();
      const requests = message.deviceIds.reduce(
        (n, id) => n + Object.values(f.counters(id)).reduce((a, b) => a + b, 0),
        0,
      );
      return { requests };
    }
    case 'stop':
      await fleet?.stop();
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (message: Request) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (err: unknown) =>
      process.send?.({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
