// SPS clients for route tests: cookie logins, HTTP Basic, and the seed's curl command lines run as they are printed
// (host substituted, --user/--cookie/--cookie-jar turned into headers, -X/-H/--data kept).
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { AppHarness } from './app-harness.js';

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface SpsClient {
  /** The session_id cookie value. */
  cookie: string;
  call(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
}

export async function loginSps(h: AppHarness, user: string, password: string): Promise<SpsClient> {
  const res = await h.app.inject({
    method: 'GET',
    url: '/api/authentication',
    headers: { authorization: basic(user, password) },
  });
  if (res.statusCode !== 200) throw new Error(`SPS login as ${user} failed: ${res.statusCode} ${res.body}`);
  const header = res.headers['set-cookie'];
  const first = (Array.isArray(header) ? header[0] : header) ?? '';
  const cookie = /^session_id=([0-9a-f]{40});/.exec(first)?.[1];
  if (!cookie) throw new Error(`no session_id cookie in ${first}`);
  return {
    cookie,
    call: (method, url, payload) =>
      h.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie: `session_id=${cookie}` },
        ...(payload !== undefined && { payload: payload as string }),
      }),
  };
}

/** A body's meta without remaining_seconds (asserted present), to compare with the reference's samples. */
export function withoutRemaining<T extends { meta: Record<string, unknown> }>(body: T): T {
  const { remaining_seconds, ...meta } = body.meta;
  assert.equal(typeof remaining_seconds, 'number');
  return { ...body, meta };
}

/** POSTs a password object and returns its key. */
export async function newPassword(client: SpsClient, plain = 'S3cret-password'): Promise<string> {
  const res = await client.call('POST', '/api/configuration/passwords', { plain });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().key;
}

/** Commits the client's transaction (asserting 200) and returns the answer. */
export async function commit(client: SpsClient, body: unknown = { status: 'commit' }) {
  const res = await client.call('PUT', '/api/transaction', body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Splits a shell command line into words, honouring single and double quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

export interface Curl {
  /** Cookie jars by file name (`--cookie cookies`, `--cookie-jar /tmp/cookie`): session_id values. */
  jars: Map<string, string>;
  /** Passwords curl would prompt for after `--user <name>`. */
  passwords: Map<string, string>;
  run(command: string, substitutions?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Runs seed curl commands against the app: `<IP-address-of-SPS>` and `192.168.122.194` stand for the app. */
export function curl(h: AppHarness): Curl {
  const jars = new Map<string, string>();
  const passwords = new Map<string, string>();
  const run = async (command: string, substitutions: Record<string, string> = {}) => {
    let line = command;
    for (const [from, to] of Object.entries(substitutions)) line = line.split(from).join(to);
    const words = shellWords(line);
    if (words.shift() !== 'curl') throw new Error(`not a curl command: ${command}`);
    let method: string | undefined;
    let url = '';
    let payload: string | undefined;
    let jarOut: string | undefined;
    const headers: Record<string, string> = {};
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      const next = () => words[++i] as string;
      if (word === '-k') continue;
      if (word === '-X') method = next();
      else if (word === '-H') {
        const [name, ...value] = next().split(':');
        headers[(name as string).toLowerCase()] = value.join(':').trim();
      } else if (word === '--data') payload = next();
      else if (word === '--cookie') headers.cookie = `session_id=${jars.get(next()) ?? ''}`;
      else if (word === '--cookie-jar') jarOut = next();
      else if (word === '--user') {
        const user = next();
        headers.authorization = basic(user, passwords.get(user) ?? '');
      } else if (/^https?:\/\//.test(word)) url = word.replace(/^https?:\/\/[^/]+/, '');
      else throw new Error(`unsupported curl word ${word} in ${command}`);
    }
    if (payload !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await h.app.inject({
      method: (method ?? (payload !== undefined ? 'POST' : 'GET')) as 'GET',
      url,
      headers,
      ...(payload !== undefined && { payload }),
    });
    if (jarOut) {
      const header = res.headers['set-cookie'];
      const first = (Array.isArray(header) ? header[0] : header) ?? '';
      const value = /^session_id=([0-9a-f]{40});/.exec(first)?.[1];
      if (value) jars.set(jarOut, value);
    }
    return res;
  };
  return { jars, passwords, run };
}
