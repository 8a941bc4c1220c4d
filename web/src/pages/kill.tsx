// Killing sessions with confidence: every kill is first shown with its blast radius (how many sessions, users and
// devices it ends, counted by the server right now), and a kill of everything in a scope asks for the scope's name
// to be typed. The kill itself is one task (POST /api/kill-tasks, BIG-IQ's body); the task page follows it.
import { useState } from 'preact/hooks';
import { api, deviceReference, get, quoted, withQuery } from '../api.js';
import { Modal } from '../components/dialog.js';
import { ErrorNote } from '../components/pager.js';
import { plural } from '../format.js';
import { useAction, useResource } from '../use-resource.js';

export interface SessionRow {
  key: string;
  user: string;
  clientIp: string;
  deviceKey: string;
  deviceName: string;
  cluster: string | null;
  accessGroup: string | null;
  startTime: string;
  duration: number;
  protocol: string;
  /** `<device hostname>/<the device's own id>`, as /api/audit/sessions shows it. */
  sessionId: string;
  active: boolean;
}

export type Scope = 'access_group' | 'cluster' | 'device';

export type KillPlan =
  | { kind: 'sessions'; sessions: SessionRow[] }
  | { kind: 'user'; user: string }
  | { kind: 'scope'; scope: Scope; name: string; key: string };

interface Radius {
  sessions: number;
  users: number;
  devices: number;
  deviceKeys: string[];
}

interface Stats {
  total: number;
  distinct: number;
  items: { value: string | null; key?: string; count: number }[];
}

const stats = (field: string, q: string, size: number) =>
  get<Stats>(withQuery('/api/audit/sessions/stats', { field, q, size }));

const SCOPE_FIELD: Record<Scope, string> = { access_group: 'access_group', cluster: 'cluster', device: 'device.key' };
const SCOPE_NOUN: Record<Scope, string> = { access_group: 'access group', cluster: 'cluster', device: 'device' };

async function radiusOf(plan: KillPlan): Promise<Radius> {
  if (plan.kind === 'sessions') {
    const deviceKeys = [...new Set(plan.sessions.map((s) => s.deviceKey))];
    const users = new Set(plan.sessions.map((s) => s.user)).size;
    return { sessions: plan.sessions.length, users, devices: deviceKeys.length, deviceKeys };
  }
  const q =
    plan.kind === 'user'
      ? `active:true AND user:${quoted(plan.user)}`
      : `active:true AND ${SCOPE_FIELD[plan.scope]}:${quoted(plan.key)}`;
  const [byUser, byDevice] = await Promise.all([stats('user', q, 1), stats('device', q, 1000)]);
  const deviceKeys = byDevice.items.flatMap((item) => (item.key ? [item.key] : []));
  return { sessions: byUser.total, users: byUser.distinct, devices: byDevice.distinct, deviceKeys };
}

/** The kill request (BIG-IQ's kill-sessions body). A user is killed on the devices that hold their sessions. */
function requestOf(plan: KillPlan, radius: Radius): Record<string, unknown> {
  if (plan.kind === 'sessions') {
    const byDevice = new Map<string, string[]>();
    for (const s of plan.sessions) {
      const nativeId = s.sessionId.slice(s.sessionId.indexOf('/') + 1);
      byDevice.set(s.deviceKey, [...(byDevice.get(s.deviceKey) ?? []), nativeId]);
    }
    return {
      action: 'KILL_BY_LIST_OF_SESSIONS',
      sessions: [...byDevice].map(([key, sessionIds]) => ({ deviceReference: deviceReference(key), sessionIds })),
    };
  }
  if (plan.kind === 'user') {
    return { action: 'KILL_BY_USER', userName: plan.user, deviceReferences: radius.deviceKeys.map(deviceReference) };
  }
  if (plan.scope === 'access_group') return { action: 'KILL_ALL_SESSIONS', accessGroupNames: [plan.name] };
  if (plan.scope === 'cluster') return { action: 'KILL_ALL_SESSIONS', clusterNames: [plan.name] };
  return { action: 'KILL_ALL_SESSIONS', deviceReferences: [deviceReference(plan.key)] };
}

export function titleOf(plan: KillPlan): string {
  if (plan.kind === 'sessions') return `Kill ${plural(plan.sessions.length, 'selected session')}`;
  if (plan.kind === 'user') return `Kill all sessions of ${plan.user}`;
  return `Kill all sessions in ${SCOPE_NOUN[plan.scope]} ${plan.name}`;
}

export function KillDialog(props: { plan: KillPlan; onClose: () => void; onKilled: (taskKey: string) => void }) {
  const { plan } = props;
  const radius = useResource(() => radiusOf(plan), []);
  const [typed, setTyped] = useState('');
  const action = useAction();
  const needsTyping = plan.kind === 'scope';
  const r = radius.data;
  const ready = r !== undefined && r.sessions > 0 && (!needsTyping || typed === plan.name);
  const confirm = () =>
    action.run(async () => {
      if (!r) return;
      const task = await api<{ key: string }>('POST', '/api/kill-tasks', requestOf(plan, r));
      props.onKilled(task.key);
    });
  return (
    <Modal title={titleOf(plan)} onClose={props.onClose}>
      {r === undefined ? (
        <p aria-live="polite">{radius.error ?? 'Counting what this kill would end…'}</p>
      ) : (
        <p class="radius" aria-live="polite" data-testid="blast-radius">
          This ends <strong>{plural(r.sessions, 'session')}</strong> of <strong>{plural(r.users, 'user')}</strong> on{' '}
          <strong>{plural(r.devices, 'device')}</strong>.
        </p>
      )}
      {r?.sessions === 0 && <p class="muted">Nothing to kill: no active session matches.</p>}
      <p class="muted">Each device is asked to end the sessions, then listed again to verify they are gone.</p>
      {needsTyping && (
        <>
          <label for="confirm-scope">
            Type <strong>{plan.name}</strong> to confirm
          </label>
          <input id="confirm-scope" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        </>
      )}
      <ErrorNote error={action.error} />
      <div class="row end">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={!ready || action.busy} onClick={confirm}>
          {r ? `Kill ${plural(r.sessions, 'session')}` : 'Kill'}
        </button>
      </div>
    </Modal>
  );
}
