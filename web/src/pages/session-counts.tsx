// How the sessions a search matches spread over devices, clusters and access groups (GET /api/audit/sessions/stats),
// each scope with its own "kill everything here" — which then counts everything in the scope, not just the matches.
import { get, withQuery } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { count } from '../format.js';
import { useLive } from '../live.js';
import { useResource } from '../use-resource.js';
import type { KillPlan, Scope } from './kill.js';

const TOP = 8;

interface Bucket {
  value: string | null;
  key?: string;
  count: number;
}

interface Stats {
  total: number;
  distinct: number;
  items: Bucket[];
}

const GROUPS: readonly { scope: Scope; field: string; title: string }[] = [
  { scope: 'device', field: 'device', title: 'By device' },
  { scope: 'cluster', field: 'cluster', title: 'By cluster' },
  { scope: 'access_group', field: 'access_group', title: 'By access group' },
];

export function SessionCounts(props: { query: string; canKill: boolean; onKill: (plan: KillPlan) => void }) {
  const stats = useResource(
    () =>
      Promise.all(
        GROUPS.map((g) =>
          get<Stats>(withQuery('/api/audit/sessions/stats', { field: g.field, q: props.query, size: TOP })),
        ),
      ),
    [props.query],
  );
  useLive(['sync', 'targets'], stats.reload, 3000);
  return (
    <section class="counts" aria-label="Session counts">
      <ErrorNote error={stats.error} />
      {GROUPS.map((group, index) => {
        const data = stats.data?.[index];
        return (
          <div class="panel" key={group.scope}>
            <h2>
              {group.title}
              {data && data.distinct > TOP && (
                <span class="muted">
                  {' '}
                  (top {TOP} of {count(data.distinct)})
                </span>
              )}
            </h2>
            <table class="compact">
              <tbody>
                {data?.items.length === 0 && (
                  <tr>
                    <td class="muted">No sessions.</td>
                  </tr>
                )}
                {data?.items.map((bucket) => (
                  <CountRow key={bucket.key ?? bucket.value ?? '-'} scope={group.scope} bucket={bucket} {...props} />
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </section>
  );
}

function CountRow(props: { scope: Scope; bucket: Bucket; canKill: boolean; onKill: (plan: KillPlan) => void }) {
  const { scope, bucket } = props;
  const name = bucket.value;
  const key = scope === 'device' ? bucket.key : (name ?? undefined);
  return (
    <tr>
      <th scope="row">{name ?? <span class="muted">none</span>}</th>
      <td class="num">{count(bucket.count)}</td>
      {props.canKill && (
        <td>
          {name !== null && key !== undefined && (
            <button
              type="button"
              class="link danger-text"
              aria-label={`Kill all sessions in ${scope.replace('_', ' ')} ${name}`}
              onClick={() => props.onKill({ kind: 'scope', scope, name, key })}
            >
              Kill all
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
