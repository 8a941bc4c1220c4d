// Token authentication (docs/compat/bigip-device.md §1): one `tmos` login per connection, shared by concurrent callers,
// reused for every call, renewed once when the device rejects it, and deleted on logout so tokens do not pile up on the
// device.
import { ConnectorError } from '../connector.js';
import { type BigipClient, type HttpMethod, type JsonResponse, type SendOptions, unexpectedShape } from './client.js';

const LOGIN_PATH = '/mgmt/shared/authn/login';
const TOKENS_PATH = '/mgmt/shared/authz/tokens';
const NO_HEADERS: Record<string, string> = {};

export interface Credentials {
  username: string;
  password: string;
}

interface Token {
  value: string;
  /** Reused for every request made with this token. */
  headers: Record<string, string>;
  /** Epoch ms after which the device no longer accepts it (from the login answer); Infinity when not given. */
  expiresAt: number;
}

/**
 * A token is renewed before a request once less than this is left, so a kill after an idle spell does not pay a
 * refused request plus a login (two round trips) on its critical path.
 */
const RENEW_BEFORE_MS = 60_000;

export class TokenAuth {
  private token: Token | null = null;
  private pendingLogin: Promise<Token> | null = null;

  constructor(
    private readonly client: BigipClient,
    private readonly credentials: Credentials,
  ) {}

  /** Sends a request with the token; after a 401 (token expired or revoked) logs in again once and retries. */
  async send(method: HttpMethod, path: string, json?: unknown, options: SendOptions = {}): Promise<JsonResponse> {
    if (this.token && this.token.expiresAt - Date.now() < RENEW_BEFORE_MS) this.token = null;
    const token = this.token ?? (await this.login());
    try {
      return await this.client.send(method, path, token.headers, json, options);
    } catch (error) {
      if (!(error instanceof ConnectorError && error.status === 401)) throw error;
      if (this.token === token) this.token = null;
      const renewed = this.token ?? (await this.login());
      return this.client.send(method, path, renewed.headers, json, options);
    }
  }

  /** Deletes the token on the device; best effort, since the token expires on its own anyway. */
  async logout(): Promise<void> {
    const token = this.token ?? (await this.pendingLogin?.catch(() => null)) ?? null;
    this.token = null;
    if (!token) return;
    // Best effort: a device that is down cannot be logged out of, and its token expires by itself.
    await this.client.send('DELETE', `${TOKENS_PATH}/${token.value}`, token.headers).catch(() => undefined);
  }

  private login(): Promise<Token> {
    this.pendingLogin ??= this.requestToken().finally(() => {
      this.pendingLogin = null;
    });
    return this.pendingLogin;
  }

  private async requestToken(): Promise<Token> {
    const { username, password } = this.credentials;
    const response = await this.client.send('POST', LOGIN_PATH, NO_HEADERS, {
      username,
      password,
      loginProviderName: 'tmos',
    });
    const token = (response.body as { token?: { token?: unknown; timeout?: unknown } } | undefined)?.token;
    const value = token?.token;
    if (typeof value !== 'string' || value === '') {
      throw unexpectedShape(`POST ${LOGIN_PATH}`, response, 'no token.token');
    }
    // The login answer gives the lifetime in seconds (default 1,200); counted from now, a little early is safe.
    const timeoutSec = typeof token?.timeout === 'number' && token.timeout > 0 ? token.timeout : undefined;
    const expiresAt = timeoutSec === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutSec * 1000;
    this.token = { value, headers: { 'x-f5-auth-token': value }, expiresAt };
    return this.token;
  }
}
