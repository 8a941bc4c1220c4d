// HTTPS transport to one device, shared by the vendor drivers: a keep-alive undici Pool, JSON in and out, every failure
// mapped to a ConnectorError. Vendors only say how to read a message out of their error bodies.

import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import { Pool } from 'undici';
import { ConnectorError, type ConnectorOptions, type DeviceEndpoint } from './connector.js';
import { deadline } from './deadlines.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface JsonResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  /** What SendOptions.reuse's `derive` read out of this answer, or out of the identical one before it. */
  derived?: unknown;
}

export interface DeviceResponse extends JsonResponse {
  headers: IncomingHttpHeaders;
}

export interface SendOptions {
  /** Non-2xx statuses returned as a response instead of thrown, for callers that read the error body. */
  accept?: readonly number[];
  /**
   * A listing polled again and again: `derive` reads what the caller needs out of the parsed answer (returned in
   * `derived`). When the device answers exactly the bytes it answered last time under `key`, the previous derived
   * value is returned without parsing them again (and `body` is undefined).
   */
  reuse?: { key: string; derive: (response: JsonResponse) => unknown };
}

/** Reads the human message out of a vendor's parsed error body; undefined when the body has none. */
export type ErrorMessageReader = (body: unknown) => string | undefined;

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
/** Misuse of the HTTP client is a bug here, not a device failure; let it surface as is. */
const PROGRAMMING_ERROR_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);
const MAX_MESSAGE_CHARS = 300;
/** How long an idle socket to a device is kept (longer than the default sync interval). */
const IDLE_SOCKET_MS = 60_000;

let sharedSecureContext: SecureContext | undefined;

/**
 * One TLS context (default CAs) for every device: without it each new connection builds its own, which costs more CPU
 * than the handshake itself when fanning out to a thousand devices.
 */
function secureContext(): SecureContext {
  sharedSecureContext ??= createSecureContext();
  return sharedSecureContext;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function checkOptions(options: ConnectorOptions): void {
  if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
  if (!Number.isInteger(options.perDeviceConcurrency) || options.perDeviceConcurrency < 1) {
    throw new RangeError(`perDeviceConcurrency must be a positive integer, got ${options.perDeviceConcurrency}`);
  }
}

function hostForUrl(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

export class DeviceHttpClient {
  private readonly pool: Pool;
  readonly #reused = new Map<string, { digest: string; derived: unknown }>();

  constructor(
    endpoint: DeviceEndpoint,
    private readonly options: ConnectorOptions,
    private readonly readErrorMessage: ErrorMessageReader,
  ) {
    checkOptions(options);
    this.pool = new Pool(`https://${hostForUrl(endpoint.address)}:${endpoint.port}`, {
      connections: options.perDeviceConcurrency,
      // Idle sockets stay open across sync rounds (30 s apart by default) instead of undici's 4 s: every round, and an
      // incident-time kill after it, would otherwise pay a TLS handshake per device. A device's own Keep-Alive hint,
      // when it sends one, still wins.
      keepAliveTimeout: IDLE_SOCKET_MS,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { rejectUnauthorized: endpoint.verifyTls, timeout: options.timeoutMs, secureContext: secureContext() },
    });
  }

  /** Sends one request and reads the whole body; non-2xx answers (unless accepted) and transport failures throw. */
  async send(
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    json?: unknown,
    options: SendOptions = {},
  ): Promise<DeviceResponse> {
    const what = `${method} ${path}`;
    let status: number;
    let responseHeaders: IncomingHttpHeaders;
    let bytes: Buffer;
    const timeout = deadline(this.options.timeoutMs);
    try {
      const response = await this.pool.request({
        method,
        path,
        headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
        // One deadline over queueing, connect, headers and body; undici's own timeouts tick at ~0.5 s resolution.
        signal: timeout.signal,
      });
      status = response.statusCode;
      responseHeaders = response.headers;
      // Bytes, not text: an unchanged listing (SendOptions.reuse) is recognised without decoding it.
      bytes = Buffer.from(await response.body.arrayBuffer());
    } catch (error) {
      throw this.transportError(what, error);
    } finally {
      timeout.clear();
    }
    const accepted = (status >= 200 && status <= 299) || options.accept?.includes(status) === true;
    if (!accepted) throw this.statusError(what, status, bytes.toString('utf8'));
    if (options.reuse === undefined) {
      return { status, headers: responseHeaders, body: parseBody(what, status, bytes.toString('utf8')) };
    }
    return this.#reusing(options.reuse, what, { status, headers: responseHeaders, bytes });
  }

  /**
   * A steady fleet lists the same sessions round after round; parsing a thousand-session listing is most of a sync's
   * CPU. A digest of the bytes (a fraction of the parse's cost) tells an unchanged answer. Only the digest and the
   * derived value of the last answer per key are kept, never the parsed body (a thousand sessions' JSON is large).
   */
  #reusing(
    reuse: NonNullable<SendOptions['reuse']>,
    what: string,
    answer: { status: number; headers: IncomingHttpHeaders; bytes: Buffer },
  ): DeviceResponse {
    const digest = `${answer.status}:${createHash('sha1').update(answer.bytes).digest('base64')}`;
    const last = this.#reused.get(reuse.key);
    const { status, headers } = answer;
    if (last?.digest === digest) return { status, headers, body: undefined, derived: last.derived };
    const response = { status, headers, body: parseBody(what, status, answer.bytes.toString('utf8')) };
    const derived = reuse.derive(response);
    this.#reused.set(reuse.key, { digest, derived });
    return { ...response, derived };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** The device's own message from a parsed error body, else the start of the raw text. */
  private deviceMessage(text: string): string {
    try {
      const message = this.readErrorMessage(JSON.parse(text));
      if (message !== undefined) return message.slice(0, MAX_MESSAGE_CHARS);
    } catch {
      // not JSON: fall through to the raw text
    }
    return text.slice(0, MAX_MESSAGE_CHARS) || '(empty body)';
  }

  private statusError(what: string, status: number, text: string): ConnectorError {
    const code = status === 401 || status === 403 ? 'auth_failed' : 'device_error';
    return new ConnectorError(code, `${what}: HTTP ${status}: ${this.deviceMessage(text)}`, { status });
  }

  private transportError(what: string, error: unknown): unknown {
    const code = errorCode(error);
    if (code && PROGRAMMING_ERROR_CODES.has(code)) return error;
    if ((code && TIMEOUT_CODES.has(code)) || (error instanceof Error && error.name === 'TimeoutError')) {
      return new ConnectorError('timeout', `${what}: no answer within ${this.options.timeoutMs} ms`, { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    const detail = code && !reason.includes(code) ? `${reason} (${code})` : reason;
    return new ConnectorError('unreachable', `${what}: ${detail}`, { cause: error });
  }
}

function parseBody(what: string, status: number, text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConnectorError('device_error', `${what}: HTTP ${status} with a body that is not JSON`, {
      status,
      cause: error,
    });
  }
}

/** For callers that check a parsed body's shape: a well-formed answer that is not what the device should send. */
export function unexpectedShape(what: string, response: JsonResponse, problem: string): ConnectorError {
  return new ConnectorError('device_error', `${what}: unexpected response: ${problem}`, { status: response.status });
}
