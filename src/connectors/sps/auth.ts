// Cookie authentication (docs/compat/sps.md §1): one `GET /api/authentication` with Basic per connection, shared by
// concurrent callers; the `session_id` cookie goes on every call; after a 401 (the login idled out or the appliance
// forgot it) log in again once. SPS has no logout (§1.6), so dropping the cookie is all a close can do.
import type { DeviceEndpoint } from '../connector.js';
import { ConnectorError } from '../connector.js';
import { type HttpMethod, type JsonResponse, type SendOptions, type SpsClient, unexpectedShape } from './client.js';

const AUTHENTICATION_PATH = '/api/authentication';
const COOKIE_NAME = 'session_id';

export type Credentials = Pick<DeviceEndpoint, 'username' | 'password'>;

/**
 * The `session_id=<value>` pair from any Set-Cookie of the login answer. Its `expires` is deliberately ignored: the
 * appliance's idle timeout slides and client clocks drift (§1.4), so a 401 is what says the login is over.
 */
function loginCookie(setCookie: string | string[] | undefined): string | undefined {
  const headers = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
  for (const header of headers) {
    const pair = header.split(';', 1)[0]?.trim() ?? '';
    if (pair.startsWith(`${COOKIE_NAME}=`) && pair.length > COOKIE_NAME.length + 1) return pair;
  }
  return undefined;
}

export class CookieAuth {
  private cookie: string | null = null;
  private pendingLogin: Promise<string> | null = null;
  private readonly basic: string;

  constructor(
    private readonly client: SpsClient,
    credentials: Credentials,
  ) {
    // UTF-8, as the reference asks (§1.1).
    const pair = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
    this.basic = `Basic ${pair.toString('base64')}`;
  }

  /** Sends a request with the cookie; after a 401 logs in again once and retries. */
  async send(method: HttpMethod, path: string, options?: SendOptions): Promise<JsonResponse> {
    const cookie = this.cookie ?? (await this.login());
    try {
      return await this.client.send(method, path, { cookie }, undefined, options);
    } catch (error) {
      if (!(error instanceof ConnectorError && error.status === 401)) throw error;
      if (this.cookie === cookie) this.cookie = null;
      const renewed = this.cookie ?? (await this.login());
      return this.client.send(method, path, { cookie: renewed }, undefined, options);
    }
  }

  /** Drops the cookie; the login idles out on the appliance. */
  forget(): void {
    this.cookie = null;
  }

  private login(): Promise<string> {
    this.pendingLogin ??= this.requestCookie().finally(() => {
      this.pendingLogin = null;
    });
    return this.pendingLogin;
  }

  private async requestCookie(): Promise<string> {
    const response = await this.client.send('GET', AUTHENTICATION_PATH, { authorization: this.basic });
    const cookie = loginCookie(response.headers['set-cookie']);
    if (!cookie) throw unexpectedShape(`GET ${AUTHENTICATION_PATH}`, response, `no ${COOKIE_NAME} cookie`);
    this.cookie = cookie;
    return cookie;
  }
}
