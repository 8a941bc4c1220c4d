// The console's only way to the server: same-origin fetches to the SPS surface (/api), authenticated by the
// `session_id` cookie the sign-in sets. Errors arrive as SPS error bodies and become ApiError.

export type Permission = 'read' | 'write';

/** Privilege objects the console checks (src/core/access.ts). */
export const OBJECTS = {
  sessions: '/special/active_sessions',
  audit: '/special/audit',
  curfews: '/special/curfews',
  aaa: '/api/configuration/aaa',
  devices: '/api/configuration/devices',
  clusters: '/api/configuration/clusters',
  accessGroups: '/api/configuration/access_groups',
} as const;

export interface Me {
  name: string;
  privileges: Partial<Record<string, Permission>>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** Tells the app that the login is gone (expired, ended elsewhere): it shows the sign-in form. */
export const signedOut = new EventTarget();

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text === '' ? {} : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (parsed as { error?: { type?: string; message?: string } }).error;
    if (response.status === 401) signedOut.dispatchEvent(new Event('signedout'));
    throw new ApiError(response.status, error?.type ?? 'Error', error?.message ?? `${response.status} ${path}`);
  }
  return parsed as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

/** `path?name=value&…`, skipping empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(name, String(value));
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Signs in with HTTP Basic once; the answer sets the session cookie every later call relies on. */
export async function signIn(user: string, password: string): Promise<void> {
  const credentials = btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
  const response = await fetch('/api/authentication', {
    credentials: 'same-origin',
    headers: { authorization: `Basic ${credentials}` },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new ApiError(response.status, 'AuthenticationFailure', body.error?.message ?? 'Sign-in failed.');
  }
}

export async function whoAmI(): Promise<Me> {
  const info = await get<{ user: { name: string }; privileges?: Me['privileges'] }>('/api/user_info');
  return { name: info.user.name, privileges: info.privileges ?? {} };
}

export function can(me: Me, object: string, permission: Permission): boolean {
  const held = me.privileges[object];
  return held === 'write' || (held === 'read' && permission === 'read');
}

/** A value as an exact term of the session query language: quoted, `"` and `\` escaped. */
export function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** The device reference kill requests take (BIG-IQ's machineid-resolver link; the key is the device id). */
export const deviceReference = (key: string) => ({
  link: `/mgmt/cm/system/machineid-resolver/${encodeURIComponent(key)}`,
});

/** Runs `work` over `items`, `limit` at a time (reads of many configuration objects). */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface ConfigObject<B> {
  key: string;
  body: B;
}

/** A configuration collection with its objects' bodies (SPS lists keys only: one read per object, 8 at a time). */
export async function loadCollection<B>(href: string): Promise<ConfigObject<B>[]> {
  const listed = await get<{ items: { key: string }[] }>(href);
  return mapLimited(listed.items, 8, (item) => get<ConfigObject<B>>(`${href}/${encodeURIComponent(item.key)}`));
}
