// Killing sessions with confidence: every kill is first shown with its blast radius (how many sessions, users and
// devices the inventory sees it ending, counted by the server right now) and with the devices in scope, flagging those
// that look unable to answer. A kill of everything in a scope asks for the scope's name to be typed. The kill itself
// is one task (POST /api/kill-tasks, BIG-IQ's body) over the scope the operator named; the task page follows it.
// A user's kill may also keep them out ("curfew": a curfew on that user over the same scope, set by the same request).
import { useState } from 'preact/hooks';
import { api, deviceReference, get, quoted, withQuery } from '../api.js';
import { Modal } from '../components/dialog.js';
import { ErrorNote } from '../components/pager.js';
import { plural } from '../format.js';
import { onLinkClick } from '../router.js';
import { useAction, useResource } from '../use-resource.js';
import { curfewPath } from './curfew-model.js';
import { ScopeNote, useScopeDevices } from './kill-scope.js';

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

/** What the inventory sees the kill ending: a count, not the scope (devices are listed live when the task runs). */
interface Radius {
  sessions: number;
  users: number;
  devices: number;
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
    const devices = new Set(plan.sessions.map((s) => s.deviceKey)).size;
    const users = new Set(plan.sessions.map((s) => s.user)).size;
    return { sessions: plan.sessions.length, users, devices };
  }
  const q =
    plan.kind === 'user'
      ? `active:true AND user:${quoted(plan.user)}`
      : `active:true AND ${SCOPE_FIELD[plan.scope]}:${quoted(plan.key)}`;
  const [byUser, byDevice] = await Promise.all([stats('user', q, 1), stats('device', q, 1)]);
  return { sessions: byUser.total, users: byUser.distinct, devices: byDevice.distinct };
}

/**
 * The kill request (BIG-IQ's kill-sessions body). A user is killed on the whole fleet (`fleet`, a curfew extension):
 * the devices where the inventory saw them would miss sessions opened since the last sync or on a device that missed it.
 */
function requestOf(plan: KillPlan): Record<string, unknown> {
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
  if (plan.kind === 'user') return { action: 'KILL_BY_USER', userName: plan.user, fleet: true };
  if (plan.scope === 'access_group') return { action: 'KILL_ALL_SESSIONS', accessGroupNames: [plan.name] };
  if (plan.scope === 'cluster') return { action: 'KILL_ALL_SESSIONS', clusterNames: [plan.name] };
  return { action: 'KILL_ALL_SESSIONS', deviceReferences: [deviceReference(plan.key)] };
}

export function titleOf(plan: KillPlan): string {
  if (plan.kind === 'sessions') return `Kill ${plural(plan.sessions.length, 'selected session')}`;
  if (plan.kind === 'user') return `Kill all sessions of ${plan.user}`;
  return `Kill all sessions in ${SCOPE_NOUN[plan.scope]} ${plan.name}`;
}

function killLabel(plan: KillPlan): string {
  if (plan.kind === 'sessions') return `Kill ${plural(plan.sessions.length, 'session')}`;
  if (plan.kind === 'user') return `Kill all of ${plan.user}`;
  return `Kill all in ${plan.name}`;
}

function RadiusNote(props: { plan: KillPlan; radius: Radius }) {
  const { plan, radius: r } = props;
  const counts = (
    <>
      <strong>{plural(r.sessions, 'session')}</strong> of <strong>{plural(r.users, 'user')}</strong> on{' '}
      <strong>{plural(r.devices, 'device')}</strong>
    </>
  );
  // A named scope is killed whatever the inventory counted: the count is what it has seen, not a limit.
  return plan.kind === 'sessions' ? (
    <p class="radius" aria-live="polite" data-testid="blast-radius">
      This ends {counts}.
    </p>
  ) : (
    <p class="radius" aria-live="polite" data-testid="blast-radius">
      The inventory sees {counts} right now.
      {r.sessions === 0 && ' It may be behind: every device in scope is asked all the same.'}
    </p>
  );
}

/** "And keep out for …": the kill request's `curfew` field, or undefined when not asked. */
interface KeepOut {
  on: boolean;
  duration: string;
  reason: string;
}

function KeepOutFields(props: { user: string; keepOut: KeepOut; onKeepOut: (keepOut: KeepOut) => void }) {
  const { keepOut } = props;
  const set = (change: Partial<KeepOut>) => props.onKeepOut({ ...keepOut, ...change });
  return (
    <fieldset class="keep-out">
      <legend>Keep out</legend>
      <div>
        <label class="check">
          <input type="checkbox" checked={keepOut.on} onChange={(e) => set({ on: e.currentTarget.checked })} />
          and keep {props.user} out of the fleet with a curfew
        </label>
      </div>
      {keepOut.on && (
        <>
          <label for="keep-out-duration">Keep out for</label>
          <input
            id="keep-out-duration"
            placeholder="2h · 90m · 7d · PT2H (empty: until lifted)"
            value={keepOut.duration}
            onInput={(e) => set({ duration: e.currentTarget.value })}
          />
          <label for="keep-out-reason">Reason (required)</label>
          <input id="keep-out-reason" value={keepOut.reason} onInput={(e) => set({ reason: e.currentTarget.value })} />
        </>
      )}
    </fieldset>
  );
}

function curfewField(keepOut: KeepOut): Record<string, string> | undefined {
  if (!keepOut.on) return undefined;
  const duration = keepOut.duration.trim();
  return { ...(duration !== '' && { duration }), reason: keepOut.reason };
}

/** After a kill that set a curfew: both are named, with links, before the operator moves on. */
function KilledAndKeptOut(props: { taskKey: string; curfewId: string; onClose: () => void }) {
  const task = `/tasks/${encodeURIComponent(props.taskKey)}`;
  const curfew = curfewPath(props.curfewId);
  const follow = (event: MouseEvent, path: string) => {
    onLinkClick(event, path);
    if (event.defaultPrevented) props.onClose();
  };
  return (
    <div data-testid="kill-curfew-result" aria-live="polite">
      <p>
        The kill task started:{' '}
        <a href={task} onClick={(e) => follow(e, task)}>
          follow the kill task
        </a>
        .
      </p>
      <p>
        Curfew <code>{props.curfewId}</code> set:{' '}
        <a href={curfew} onClick={(e) => follow(e, curfew)}>
          open the curfew
        </a>
        .
      </p>
      <div class="row end">
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

export function KillDialog(props: {
  plan: KillPlan;
  canCurfew?: boolean;
  onClose: () => void;
  onKilled: (taskKey: string) => void;
}) {
  const { plan } = props;
  const [keepOut, setKeepOut] = useState<KeepOut>({ on: false, duration: '2h', reason: '' });
  const [done, setDone] = useState<{ taskKey: string; curfewId: string } | null>(null);
  const offersKeepOut = plan.kind === 'user' && props.canCurfew === true;
  const radius = useResource(() => radiusOf(plan), []);
  const scope = useScopeDevices(plan);
  const [typed, setTyped] = useState('');
  const action = useAction();
  const needsTyping = plan.kind === 'scope';
  const r = radius.data;
  const devices = scope.data;
  const nothingAsked = devices !== undefined && devices !== 'forbidden' && devices.asked.length === 0;
  const scopeKnown = devices !== undefined || scope.error !== undefined;
  const curfew = offersKeepOut ? curfewField(keepOut) : undefined;
  const ready =
    r !== undefined &&
    scopeKnown &&
    !nothingAsked &&
    (!needsTyping || typed === plan.name) &&
    (curfew === undefined || keepOut.reason.trim() !== '');
  const confirm = () =>
    action.run(async () => {
      const body = { ...requestOf(plan), ...(curfew && { curfew }) };
      const task = await api<{ key: string; body: { curfewId?: string } }>('POST', '/api/kill-tasks', body);
      if (task.body.curfewId) setDone({ taskKey: task.key, curfewId: task.body.curfewId });
      else props.onKilled(task.key);
    });
  if (done) {
    return (
      <Modal title={`Killed and kept out: ${plan.kind === 'user' ? plan.user : ''}`} onClose={props.onClose}>
        <KilledAndKeptOut taskKey={done.taskKey} curfewId={done.curfewId} onClose={props.onClose} />
      </Modal>
    );
  }
  return (
    <Modal title={titleOf(plan)} onClose={props.onClose}>
      {r === undefined ? (
        <p aria-live="polite">{radius.error ?? 'Counting what this kill would end…'}</p>
      ) : (
        <RadiusNote plan={plan} radius={r} />
      )}
      <ScopeNote plan={plan} devices={devices} {...(scope.error !== undefined && { error: scope.error })} />
      {nothingAsked && <p class="muted">Nothing to kill: no device is in scope.</p>}
      <p class="muted">Each device is asked to end the sessions, then listed again to verify they are gone.</p>
      {needsTyping && (
        <>
          <label for="confirm-scope">
            Type <strong>{plan.name}</strong> to confirm
          </label>
          <input id="confirm-scope" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        </>
      )}
      {offersKeepOut && plan.kind === 'user' && (
        <KeepOutFields user={plan.user} keepOut={keepOut} onKeepOut={setKeepOut} />
      )}
      <ErrorNote error={action.error} />
      <div class="row end">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={!ready || action.busy} onClick={confirm}>
          {killLabel(plan)}
        </button>
      </div>
    </Modal>
  );
}
