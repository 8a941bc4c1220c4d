// The baseline: what an operator scripts today without curfew — for each device in turn, log in, list the sessions,
// delete each of the user's sessions, and list again to check. One keep-alive connection per device, like a
// `requests.Session` per device in Python.
import { Agent, request } from 'undici';
import type { LabDeviceInfo } from '../lab/bigip/emulator.js';

async function json(
  url: string,
  dispatcher: Agent,
  init: { method: string; headers?: Record<string, string>; body?: string },
) {
  const res = await request(url, { ...init, dispatcher });
  const text = await res.body.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function sessionIdsOf(list: Record<string, unknown>, user: string | undefined): string[] {
  const entries = (list.entries ?? {}) as Record<
    string,
    { nestedStats: { entries: { logonUser: { description: string } } } }
  >;
  return Object.entries(entries)
    .filter(([, v]) => user === undefined || v.nestedStats.entries.logonUser.description === user)
    .map(([key]) => key.slice(key.lastIndexOf('/') + 1));
}

/** Kills `user`'s sessions (all sessions when undefined) device by device; returns the sessions still listed. */
export async function sequentialKill(
  devices: readonly LabDeviceInfo[],
  password: string,
  user: string | undefined,
): Promise<number> {
  let leftovers = 0;
  for (const device of devices) {
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    const base = `https://${device.address}:${device.port}`;
    try {
      const login = await json(`${base}/mgmt/shared/authn/login`, dispatcher, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password, loginProviderName: 'tmos' }),
      });
      const headers = { 'x-f5-auth-token': (login.token as { token: string }).token };
      const ids = sessionIdsOf(
        await json(`${base}/mgmt/tm/apm/access-info`, dispatcher, { method: 'GET', headers }),
        user,
      );
      for (const id of ids) await json(`${base}/mgmt/tm/apm/session/${id}`, dispatcher, { method: 'DELETE', headers });
      leftovers += sessionIdsOf(
        await json(`${base}/mgmt/tm/apm/access-info`, dispatcher, { method: 'GET', headers }),
        user,
      ).length;
    } finally {
      await dispatcher.close();
    }
  }
  return leftovers;
}
