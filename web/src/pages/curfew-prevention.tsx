// Prevention: whether each device keeps curfewed users from logging in again (GET /api/curfews/prevention). BIG-IPs
// hold a deny list curfew keeps in sync; SPS appliances have no such block, so curfews are enforced there on sight.

import { ErrorNote } from '../components/pager.js';
import { count, dateTime } from '../format.js';
import type { Resource } from '../use-resource.js';
import { type PreventionBody, STATUS_LABEL } from './curfew-model.js';

export interface PreventionList {
  items: { key: string; body: PreventionBody }[];
  meta: { total: number; counts: Record<string, number> };
}

export const SPS_NOTE = 'SPS has no login block over its API: enforced on sight only.';

export function PreventionPanel(props: { prevention: Resource<PreventionList> }) {
  const data = props.prevention.data;
  const items = data?.items ?? [];
  const counts = Object.entries(data?.meta.counts ?? {}).map(
    ([status, n]) => `${count(n)} ${STATUS_LABEL[status as keyof typeof STATUS_LABEL] ?? status}`,
  );
  return (
    <section class="panel" aria-labelledby="prevention-title">
      <h2 id="prevention-title">Prevention at login</h2>
      <p class="muted">
        Each BIG-IP in scope of an active enforce curfew holds the curfewed user names in a deny list its access policy
        consults, so they cannot log in again; curfew writes it, reads it back and corrects drift at every sync.
        Sessions are ended on sight everywhere, whatever this shows.
        {counts.length > 0 && ` Devices: ${counts.join(', ')}.`}
      </p>
      <ErrorNote error={props.prevention.error} />
      <div class="table-wrap">
        <table data-testid="prevention">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col">Deny list</th>
              <th scope="col">Checked</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {data && items.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No devices.
                </td>
              </tr>
            )}
            {items.map(({ key, body }) => {
              const status = body.status ?? 'unchecked';
              const sps = body.device.kind === 'sps';
              return (
                <tr key={key}>
                  <th scope="row">{body.device.hostname}</th>
                  <td>{sps ? 'SPS' : 'BIG-IP'}</td>
                  <td>
                    <span class={`badge prevention-${status}`}>{STATUS_LABEL[status]}</span>
                  </td>
                  <td>{body.records ? <code>{body.records}</code> : '—'}</td>
                  <td>{dateTime(body.checked)}</td>
                  <td>
                    {sps && <strong>{SPS_NOTE} </strong>}
                    {body.message && !(sps && body.status === 'unsupported') ? body.message : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
