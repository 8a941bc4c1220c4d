// Adding or editing a device, in the transaction. A new device needs a password: it is stored first as a one-use
// password object (POST /api/configuration/passwords) and referenced by key; an edit without one keeps the current.
import { useState } from 'preact/hooks';
import { api, type ConfigObject } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { useAction } from '../use-resource.js';
import type { DeviceBody, Fleet } from './devices.js';

interface Fields {
  hostname: string;
  address: string;
  port: string;
  kind: 'bigip' | 'sps';
  username: string;
  password: string;
  verifyTls: boolean;
  cluster: string;
  accessGroup: string;
}

const fieldsOf = (d: DeviceBody | undefined): Fields => ({
  hostname: d?.hostname ?? '',
  address: d?.address ?? '',
  port: String(d?.port ?? 443),
  kind: d?.kind ?? 'bigip',
  username: d?.username ?? '',
  password: '',
  verifyTls: d?.verify_tls ?? true,
  cluster: d?.cluster?.key ?? '',
  accessGroup: d?.access_group?.key ?? '',
});

async function save(device: ConfigObject<DeviceBody> | undefined, f: Fields): Promise<void> {
  const password =
    f.password === ''
      ? undefined
      : (await api<{ key: string }>('POST', '/api/configuration/passwords', { plain: f.password })).key;
  const body = {
    hostname: f.hostname.trim(),
    address: f.address.trim(),
    port: Number(f.port),
    kind: f.kind,
    username: f.username,
    verify_tls: f.verifyTls,
    cluster: f.cluster || null,
    access_group: f.accessGroup || null,
    ...(password !== undefined && { password }),
  };
  if (device) await api('PUT', `/api/configuration/devices/${encodeURIComponent(device.key)}`, body);
  else await api('POST', '/api/configuration/devices', body);
}

export function DeviceForm(props: {
  device: ConfigObject<DeviceBody> | undefined;
  fleet: Fleet;
  onDone: (saved: boolean) => void;
}) {
  const [f, setF] = useState<Fields>(fieldsOf(props.device?.body));
  const action = useAction();
  const set = (patch: Partial<Fields>) => setF({ ...f, ...patch });
  const submit = async (event: Event) => {
    event.preventDefault();
    if (await action.run(() => save(props.device, f))) props.onDone(true);
  };
  return (
    <form class="device-form" onSubmit={submit} aria-label={props.device ? 'Edit device' : 'Add device'}>
      <h3>{props.device ? `Edit ${props.device.body.hostname}` : 'Add a device'}</h3>
      <DeviceFields f={f} set={set} fleet={props.fleet} editing={props.device !== undefined} />
      <ErrorNote error={action.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={action.busy}>
          {props.device ? 'Save to transaction' : 'Add to transaction'}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The device's fields; the password field is required only for a new device. */
function DeviceFields(props: { f: Fields; set: (patch: Partial<Fields>) => void; fleet: Fleet; editing: boolean }) {
  const { f, set } = props;
  const text = (id: string, label: string, name: 'hostname' | 'address' | 'username') => (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} required value={f[name]} onInput={(e) => set({ [name]: e.currentTarget.value })} />
    </div>
  );
  return (
    <div class="grid">
      {text('device-hostname', 'Host name', 'hostname')}
      {text('device-address', 'Management address', 'address')}
      <div class="field">
        <label for="device-port">Port</label>
        <input
          id="device-port"
          type="number"
          min={1}
          max={65535}
          required
          value={f.port}
          onInput={(e) => set({ port: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="device-kind">Kind</label>
        <select
          id="device-kind"
          value={f.kind}
          onChange={(e) => set({ kind: e.currentTarget.value as Fields['kind'] })}
        >
          <option value="bigip">F5 BIG-IP</option>
          <option value="sps">One Identity SPS</option>
        </select>
      </div>
      {text('device-username', 'API user name', 'username')}
      <div class="field">
        <label for="device-password">{props.editing ? 'New password (empty keeps the current one)' : 'Password'}</label>
        <input
          id="device-password"
          type="password"
          autocomplete="new-password"
          required={!props.editing}
          value={f.password}
          onInput={(e) => set({ password: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="device-cluster">Cluster</label>
        <select id="device-cluster" value={f.cluster} onChange={(e) => set({ cluster: e.currentTarget.value })}>
          <option value="">none</option>
          {props.fleet.clusters.map((c) => (
            <option key={c.key}>{c.key}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="device-group">Access group</label>
        <select id="device-group" value={f.accessGroup} onChange={(e) => set({ accessGroup: e.currentTarget.value })}>
          <option value="">none</option>
          {props.fleet.accessGroups.map((g) => (
            <option key={g.key}>{g.key}</option>
          ))}
        </select>
      </div>
      <label class="check">
        <input type="checkbox" checked={f.verifyTls} onChange={(e) => set({ verifyTls: e.currentTarget.checked })} />
        Verify the device's TLS certificate
      </label>
    </div>
  );
}
