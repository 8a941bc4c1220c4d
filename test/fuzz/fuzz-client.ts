// Sends generated requests to the app and judges the answers: credentials kept fresh (a fuzzed logout or token
// revocation must not turn the rest of the run into 401s), timing, and the server-side error behind each 5xx.
import type { FuzzApp } from './fuzz-app.js';
import { FUZZ_PASSWORD } from './fuzz-app.js';
import type { AuthKind, FuzzRequest } from './requests.js';

/** A request slower than this is a failure, whatever its status. */
export const SLOW_MS = 2_000;
/** Fuzzed requests come from here; the harness logs in from 127.0.0.1, so fuzzed failed logins never lock it out. */
const FUZZ_ADDRESS = '127.0.0.2';
const FUZZ_ID_HEADER = 'x-fuzz-id';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface Outcome {
  request: FuzzRequest;
  status: number;
  ms: number;
  /** Set for a failure: `5xx`, `slow`. */
  failure: 'status' | 'slow' | undefined;
  /** What the server threw, for a 5xx: error name, message and the first frame in src/. */
  error: string | undefined;
}

/** The admin's SPS cookie and BIG-IQ token, renewed when a fuzzed request ended them. */
export class Credentials {
  #cookie = '';
  #token = '';
  readonly #target: FuzzApp;

  constructor(target: FuzzApp) {
    this.#target = target;
  }

  async refresh(): Promise<void> {
    const { app } = this.#target;
    const sps = await app.inject({
      method: 'GET',
      url: '/api/authentication',
      headers: { authorization: basic('admin', FUZZ_PASSWORD) },
    });
    const cookie = String([sps.headers['set-cookie']].flat()[0] ?? '').split(';')[0];
    const bigiq = await app.inject({
      method: 'POST',
      url: '/mgmt/shared/authn/login',
      payload: { username: 'admin', password: FUZZ_PASSWORD },
    });
    if (sps.statusCode !== 200 || bigiq.statusCode !== 200 || !cookie) {
      throw new Error(`fuzz harness login failed: SPS ${sps.statusCode}, BIG-IQ ${bigiq.statusCode}`);
    }
    this.#cookie = cookie;
    this.#token = (bigiq.json() as { token: { token: string } }).token.token;
  }

  headers(auth: AuthKind, url: string): Record<string, string> {
    const sps = url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
    switch (auth) {
      case 'none':
        return {};
      case 'valid':
        return sps ? { cookie: this.#cookie } : { 'x-f5-auth-token': this.#token };
      case 'basic':
        return { authorization: basic('admin', FUZZ_PASSWORD) };
      case 'bad-basic':
        return { authorization: basic('mallory', 'wrong') };
      case 'junk-cookie':
        return { cookie: `session_id=${'0'.repeat(40)}`, 'x-f5-auth-token': 'junk' };
      case 'junk-token':
        return { 'x-f5-auth-token': 'A'.repeat(200), authorization: 'Bearer x' };
    }
  }
}

/** Records what the server threw per fuzzed request (onError sees it before the surface renders the 500). */
export function captureErrors(target: FuzzApp): Map<string, string> {
  const errors = new Map<string, string>();
  target.app.addHook('onError', async (request, _reply, error) => {
    const id = request.headers[FUZZ_ID_HEADER];
    if (typeof id === 'string') errors.set(id, describeError(error));
  });
  return errors;
}

function describeError(error: Error): string {
  const frame = (error.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.includes('/src/'));
  const where = frame
    ? ` @ ${frame
        .replace(/^at /, '')
        .replace(/.*\/src\//, 'src/')
        .replace(/\)$/, '')}`
    : '';
  return `${error.name}: ${error.message.slice(0, 160)}${where}`;
}

let sequence = 0;

export async function send(
  target: FuzzApp,
  credentials: Credentials,
  errors: Map<string, string>,
  request: FuzzRequest,
): Promise<Outcome> {
  const id = String(++sequence);
  const started = performance.now();
  const res = await target.app.inject({
    method: request.method as 'GET',
    url: request.url,
    remoteAddress: FUZZ_ADDRESS,
    headers: { ...request.headers, ...credentials.headers(request.auth, request.url), [FUZZ_ID_HEADER]: id },
    ...(request.payload !== undefined && { payload: request.payload }),
  });
  const ms = performance.now() - started;
  const error = errors.get(id);
  errors.delete(id);
  // A fuzzed logout, token revocation or password change ends the harness's credentials: log in again.
  if (request.auth === 'valid' && res.statusCode === 401) await credentials.refresh();
  const failure = res.statusCode >= 500 ? 'status' : ms > SLOW_MS ? 'slow' : undefined;
  return {
    request,
    status: res.statusCode,
    ms,
    failure,
    error: failure === 'status' ? (error ?? res.body.slice(0, 200)) : undefined,
  };
}

/** Failures of one cause share a class: what failed, where, and the server's error with numbers and quotes masked. */
export function failureClass(outcome: Outcome): string {
  const detail = (outcome.error ?? '').replace(/\d+/g, 'N').replace(/"[^"]*"|'[^']*'/g, '…');
  const kind = outcome.failure === 'slow' ? `slow (> ${SLOW_MS} ms)` : `${outcome.status}`;
  return `${kind} ${outcome.request.route} — ${detail}`;
}

/** The server answers after the run: liveness, and an authenticated read on each surface. */
export async function assertHealthy(target: FuzzApp, credentials: Credentials): Promise<void> {
  await credentials.refresh();
  for (const [url, auth] of [
    ['/healthz', 'none'],
    ['/api/audit/sessions?limit=1', 'valid'],
    ['/mgmt/cm/access/tasks/kill-sessions?$top=1', 'valid'],
  ] as const) {
    const started = performance.now();
    const res = await target.app.inject({ method: 'GET', url, headers: credentials.headers(auth, url) });
    const ms = performance.now() - started;
    if (res.statusCode !== 200 || ms > SLOW_MS) {
      throw new Error(`unhealthy after fuzzing: GET ${url} → ${res.statusCode} in ${Math.round(ms)} ms: ${res.body}`);
    }
  }
}
