// The seed corpus: one request per failure class the fuzzer has found (and a few it is meant to find), run first in
// every authenticated phase, so a fixed class stays fixed whatever the random budget reaches. Add the shrunk request
// of every new class here when fixing it.
import type { KnownIds } from './fuzz-app.js';
import type { FuzzRequest } from './requests.js';

const json = { 'content-type': 'application/json' };

function request(route: string, method: string, url: string, payload?: string): FuzzRequest {
  return {
    route,
    style: 'hostile',
    target: 'corpus',
    method,
    url,
    auth: 'valid',
    headers: payload === undefined ? {} : json,
    ...(payload !== undefined && { payload }),
  };
}

const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const query = (value: string) => encodeURIComponent(value);

export function seedCorpus(known: KnownIds): FuzzRequest[] {
  const task = known.taskIds[0] ?? 'none';
  const user = known.userKeys[0] ?? 'none';
  const tasks = '/mgmt/cm/access/tasks/kill-sessions';
  const sessions = '/api/audit/sessions';
  return [
    // Deep JSON bodies (stack overflow walking the body).
    request(`POST ${tasks}`, 'POST', tasks, deepObject(50_000)),
    request(`PATCH ${tasks}/{id}`, 'PATCH', `${tasks}/${task}`, deepArray(50_000)),
    request('POST /api/kill-tasks', 'POST', '/api/kill-tasks', `{"action":${deepArray(50_000)}}`),
    request('PUT /api/configuration/aaa/acls', 'PUT', '/api/configuration/aaa/acls', deepArray(50_000)),
    // OData: paren nesting and `not` chains (recursive descent), glob stars against a long user name (backtracking).
    request(`GET ${tasks}`, 'GET', `${tasks}?$filter=${query(`${'('.repeat(3_000)}status eq 1${')'.repeat(3_000)}`)}`),
    request(
      'GET /mgmt/shared/resolver/device-groups',
      'GET',
      `/mgmt/shared/resolver/device-groups?$filter=${query(`${'not '.repeat(3_000)}name eq x`)}`,
    ),
    request(`GET ${tasks}`, 'GET', `${tasks}?$filter=${query(`userName eq '${'*a'.repeat(6)}*b'`)}`),
    // SPS q: NOT chains deeper than the database's expression limit.
    request(`GET ${sessions}`, 'GET', `${sessions}?q=${query(`${'-'.repeat(1_500)}user:alice`)}`),
    request(`GET ${sessions}/stats`, 'GET', `${sessions}/stats?field=user&q=${query(`${'NOT '.repeat(1_010)}user:a`)}`),
    // Empty JSON bodies on DELETE.
    request('DELETE /api/transaction', 'DELETE', '/api/transaction', ''),
    request('DELETE /api/configuration/clusters/{key}', 'DELETE', '/api/configuration/clusters/blue', ''),
    request(
      'DELETE /api/configuration/aaa/local_database/users/{key}',
      'DELETE',
      `/api/configuration/aaa/local_database/users/${user}`,
      '',
    ),
    request('DELETE /api/active-sessions', 'DELETE', `/api/active-sessions?id=${query(known.sessionIds[1] ?? '')}`, ''),
    request('DELETE /mgmt/shared/authz/tokens/{token}', 'DELETE', '/mgmt/shared/authz/tokens/none', ''),
    request('DELETE /api/authentication', 'DELETE', '/api/authentication', ''),
  ];
}
