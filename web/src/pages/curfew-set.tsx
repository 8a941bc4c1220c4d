// Setting a curfew: the full form of the Curfews page (who, where, until when, why, how) and the short dialog a
// session row opens (that session's user, on its device, its cluster or the whole fleet). Both POST /api/curfews;
// the server reads and checks the body (unknown scopes, a past end, no reason) and its message is shown as is.
import { useState } from 'preact/hooks';
import { ApiError, api, type ConfigObject, loadCollection } from '../api.js';
import { Modal } from '../components/dialog.js';
import { ErrorNote } from '../components/pager.js';
import { useAction, useResource } from '../use-resource.js';
import { CURFEWS, type CurfewItem, type CurfewMode, type End, endFields, localInput, wordsOf } from './curfew-model.js';
import type { DeviceBody, NamedBody } from './devices.js';
import type { SessionRow } from './kill.js';

/** Until when: a duration from now (`2h`, `PT2H`, `7d`), a time, or until lifted. */
export function EndField(props: { id: string; end: End; onEnd: (end: End) => void; lifted?: string }) {
  const { id, end } = props;
  const kind = (value: string) => {
    if (value === 'duration') props.onEnd({ kind: 'duration', duration: '1h' });
    else if (value === 'until') props.onEnd({ kind: 'until', local: localInput(60) });
    else props.onEnd({ kind: 'lifted' });
  };
  return (
    <div class="end-field">
      <div class="field">
        <label for={`${id}-kind`}>Ends</label>
        <select id={`${id}-kind`} value={end.kind} onChange={(e) => kind(e.currentTarget.value)}>
          <option value="duration">after a duration</option>
          <option value="until">at a time</option>
          <option value="lifted">{props.lifted ?? 'when lifted'}</option>
        </select>
      </div>
      {end.kind === 'duration' && (
        <div class="field">
          <label for={`${id}-duration`}>Duration</label>
          <input
            id={`${id}-duration`}
            placeholder="2h · 90m · 7d · PT2H"
            value={end.duration}
            onInput={(e) => props.onEnd({ kind: 'duration', duration: e.currentTarget.value })}
          />
        </div>
      )}
      {end.kind === 'until' && (
        <div class="field">
          <label for={`${id}-until`}>Until</label>
          <input
            id={`${id}-until`}
            type="datetime-local"
            value={end.local}
            onInput={(e) => props.onEnd({ kind: 'until', local: e.currentTarget.value })}
          />
        </div>
      )}
    </div>
  );
}

function ModeField(props: { id: string; mode: CurfewMode; onMode: (mode: CurfewMode) => void }) {
  return (
    <div class="field">
      <label for={props.id}>Mode</label>
      <select id={props.id} value={props.mode} onChange={(e) => props.onMode(e.currentTarget.value as CurfewMode)}>
        <option value="enforce">enforce — end their sessions</option>
        <option value="monitor">monitor — only record them</option>
      </select>
    </div>
  );
}

const setCurfew = (body: Record<string, unknown>) => api<CurfewItem>('POST', CURFEWS, body);

interface Inventory {
  accessGroups: string[];
  clusters: string[];
  devices: { key: string; hostname: string }[];
}

/** The fleet's names to pick from; 'forbidden' when this login may set curfews but not read the configuration. */
async function loadInventory(): Promise<Inventory | 'forbidden'> {
  const names = (items: ConfigObject<NamedBody>[]) => items.map((i) => i.body.name).sort();
  try {
    const [accessGroups, clusters, devices] = await Promise.all([
      loadCollection<NamedBody>('/api/configuration/access_groups'),
      loadCollection<NamedBody>('/api/configuration/clusters'),
      loadCollection<DeviceBody>('/api/configuration/devices'),
    ]);
    return {
      accessGroups: names(accessGroups),
      clusters: names(clusters),
      devices: devices
        .map((d) => ({ key: d.key, hostname: d.body.hostname }))
        .sort((a, b) => a.hostname.localeCompare(b.hostname)),
    };
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return 'forbidden';
    throw err;
  }
}

interface Scope {
  fleet: boolean;
  accessGroups: string[];
  clusters: string[];
  devices: string[];
}

function Checklist(props: {
  legend: string;
  options: { value: string; label: string }[];
  chosen: string[];
  onChosen: (values: string[]) => void;
}) {
  const toggle = (value: string, on: boolean) =>
    props.onChosen(on ? [...props.chosen, value] : props.chosen.filter((v) => v !== value));
  return (
    <fieldset class="checklist">
      <legend>{props.legend}</legend>
      {props.options.length === 0 && <span class="muted">none configured</span>}
      {props.options.map((option) => (
        <label class="check" key={option.value}>
          <input
            type="checkbox"
            checked={props.chosen.includes(option.value)}
            onChange={(e) => toggle(option.value, e.currentTarget.checked)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** Where: the whole fleet, or access groups, clusters and devices (a union), picked from the inventory. */
function ScopePicker(props: { scope: Scope; onScope: (scope: Scope) => void }) {
  const inventory = useResource(loadInventory, []);
  const { scope } = props;
  const set = (change: Partial<Scope>) => props.onScope({ ...scope, ...change });
  const inv = inventory.data;
  return (
    <fieldset>
      <legend>Where</legend>
      <label class="check">
        <input type="radio" name="curfew-where" checked={scope.fleet} onChange={() => set({ fleet: true })} />
        Whole fleet
      </label>
      <label class="check">
        <input type="radio" name="curfew-where" checked={!scope.fleet} onChange={() => set({ fleet: false })} />
        Chosen access groups, clusters and devices
      </label>
      {!scope.fleet && (
        <>
          <ErrorNote error={inventory.error} />
          {inv === 'forbidden' && (
            <div class="grid">
              <p class="muted">This account may not read the fleet configuration: type the names.</p>
              {(
                [
                  ['accessGroups', 'Access group names'],
                  ['clusters', 'Cluster names'],
                  ['devices', 'Device keys'],
                ] as const
              ).map(([field, label]) => (
                <div class="field" key={field}>
                  <label for={`curfew-${field}`}>{label}</label>
                  <input
                    id={`curfew-${field}`}
                    value={scope[field].join(', ')}
                    onInput={(e) => set({ [field]: wordsOf(e.currentTarget.value) })}
                  />
                </div>
              ))}
            </div>
          )}
          {inv !== undefined && inv !== 'forbidden' && (
            <div class="columns">
              <Checklist
                legend="Access groups"
                options={inv.accessGroups.map((name) => ({ value: name, label: name }))}
                chosen={scope.accessGroups}
                onChosen={(accessGroups) => set({ accessGroups })}
              />
              <Checklist
                legend="Clusters"
                options={inv.clusters.map((name) => ({ value: name, label: name }))}
                chosen={scope.clusters}
                onChosen={(clusters) => set({ clusters })}
              />
              <Checklist
                legend="Devices"
                options={inv.devices.map((d) => ({ value: d.key, label: d.hostname }))}
                chosen={scope.devices}
                onChosen={(devices) => set({ devices })}
              />
            </div>
          )}
        </>
      )}
    </fieldset>
  );
}

/** The Curfews page's form: every field of POST /api/curfews. */
export function SetCurfewForm(props: { onSet: (curfew: CurfewItem) => void; onCancel: () => void }) {
  const [users, setUsers] = useState('');
  const [ips, setIps] = useState('');
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<Scope>({ fleet: true, accessGroups: [], clusters: [], devices: [] });
  const [end, setEnd] = useState<End>({ kind: 'duration', duration: '2h' });
  const [reason, setReason] = useState('');
  const [mode, setMode] = useState<CurfewMode>('enforce');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const body = {
      ...(wordsOf(users).length > 0 && { users: wordsOf(users) }),
      ...(wordsOf(ips).length > 0 && { ips: wordsOf(ips) }),
      ...(query.trim() !== '' && { query: query.trim() }),
      ...(scope.fleet
        ? { fleet: true }
        : {
            ...(scope.accessGroups.length > 0 && { accessGroups: scope.accessGroups }),
            ...(scope.clusters.length > 0 && { clusters: scope.clusters }),
            ...(scope.devices.length > 0 && { devices: scope.devices }),
          }),
      ...endFields(end, false),
      reason,
      mode,
    };
    void action.run(async () => props.onSet(await setCurfew(body)));
  };
  return (
    <form class="panel curfew-form" aria-labelledby="set-curfew-title" onSubmit={submit}>
      <h2 id="set-curfew-title">Set a curfew</h2>
      <fieldset>
        <legend>Who (at least one; they combine as OR)</legend>
        <div class="grid">
          <div class="field">
            <label for="curfew-users">Users</label>
            <input
              id="curfew-users"
              placeholder="mallory, svc-*"
              value={users}
              onInput={(e) => setUsers(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="curfew-ips">Client addresses</label>
            <input
              id="curfew-ips"
              placeholder="203.0.113.7, 198.51.100.0/24"
              value={ips}
              onInput={(e) => setIps(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="curfew-query">Session query</label>
            <input
              id="curfew-query"
              placeholder="protocol:ssh AND user:ops-*"
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
        </div>
        <p class="muted">
          Names are exact (case-sensitive); with * or ? they are patterns. Only exact names are also blocked at BIG-IP
          login; patterns, addresses and queries are enforced on sight.
        </p>
      </fieldset>
      <ScopePicker scope={scope} onScope={setScope} />
      <div class="row fields">
        <EndField id="curfew-end" end={end} onEnd={setEnd} />
        <ModeField id="curfew-mode" mode={mode} onMode={setMode} />
      </div>
      <div class="field">
        <label for="curfew-reason">Reason (required)</label>
        <input id="curfew-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <ErrorNote error={action.error} />
      <div class="row end">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={action.busy || reason.trim() === ''}>
          Set curfew
        </button>
      </div>
    </form>
  );
}

type RowScope = 'device' | 'cluster' | 'fleet';

/** "Curfew…" on a session row: keep that session's user out of its device, its cluster or the whole fleet. */
export function SessionCurfewDialog(props: {
  row: SessionRow;
  onClose: () => void;
  onSet: (curfew: CurfewItem) => void;
}) {
  const { row } = props;
  const [where, setWhere] = useState<RowScope>('device');
  const [duration, setDuration] = useState('1h');
  const [reason, setReason] = useState('');
  const [mode, setMode] = useState<CurfewMode>('enforce');
  const action = useAction();
  const scopeBody =
    where === 'fleet'
      ? { fleet: true }
      : where === 'cluster' && row.cluster !== null
        ? { clusters: [row.cluster] }
        : { devices: [row.deviceKey] };
  const submit = (event: Event) => {
    event.preventDefault();
    const end = duration.trim() === '' ? {} : { duration: duration.trim() };
    void action.run(async () =>
      props.onSet(await setCurfew({ users: [row.user], ...scopeBody, ...end, reason, mode })),
    );
  };
  const choice = (value: RowScope, label: string) => (
    <label class="check">
      <input type="radio" name="row-curfew-where" checked={where === value} onChange={() => setWhere(value)} />
      {label}
    </label>
  );
  return (
    <Modal title={`Curfew ${row.user}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p>
          Keep <strong>{row.user}</strong> out: every session of theirs in scope is ended while the curfew is active,
          including the one on this row.
        </p>
        <fieldset>
          <legend>Where</legend>
          {choice('device', `Device ${row.deviceName}`)}
          {row.cluster !== null && choice('cluster', `Cluster ${row.cluster}`)}
          {choice('fleet', 'Whole fleet')}
        </fieldset>
        <label for="row-curfew-duration">Duration</label>
        <input
          id="row-curfew-duration"
          placeholder="2h · 90m · 7d · PT2H (empty: until lifted)"
          value={duration}
          onInput={(e) => setDuration(e.currentTarget.value)}
        />
        <label for="row-curfew-reason">Reason (required)</label>
        <input id="row-curfew-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <ModeField id="row-curfew-mode" mode={mode} onMode={setMode} />
        <ErrorNote error={action.error} />
        <div class="row end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={action.busy || reason.trim() === ''}>
            Set curfew
          </button>
        </div>
      </form>
    </Modal>
  );
}
