// HTTPS transport to one BIG-IP: a keep-alive undici Pool, JSON in and out, every failure mapped to a ConnectorError.
import { createSecureContext, type SecureContext } from 'node:tls';
import { Pool } from 'undici';
import { ConnectorError, type ConnectorOptions, type DeviceEndpoint } from '../connector.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface JsonResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
/** Misuse of the HTTP client is a bug here, not a device failure; let it surface as is. */
const PROGRAMMING_ERROR_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);
const MAX_MESSAGE_CHARS = 300;

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

function hostForUrl(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/** The `message` of an iControl error body, else the start of the raw text. */
function deviceMessage(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    const message = (parsed as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message.slice(0, MAX_MESSAGE_CHARS);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, MAX_MESSAGE_CHARS) || '(empty body)';
}

export class BigipClient {
  private readonly pool: Pool;

  constructor(
    endpoint: DeviceEndpoint,
    private readonly options: ConnectorOptions,
  ) {
    this.pool = new Pool(`https://${hostForUrl(endpoint.address)}:${endpoint.port}`, {
      connections: options.perDeviceConcurrency,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { rejectUnauthorized: endpoint.verifyTls, timeout: options.timeoutMs, secureContext: secureContext() },
    });
  }

  /** Sends one request and reads the whole body; non-2xx answers and transport failures throw ConnectorError. */
  async send(method: HttpMethod, path: string, headers: Record<string, string>, json?: unknown): Promise<JsonResponse> {
    const what = `${method} ${path}`;
    let status: number;
    let text: string;
    try {
      const response = await this.pool.request({
        method,
        path,
        headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
        // One deadline over queueing, connect, headers and body; undici's own timeouts tick at ~0.5 s resolution.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.transportError(what, error);
    }
    if (status < 200 || status > 299) throw statusError(what, status, text);
    return { status, body: parseBody(what, status, text) };
  }

  close(): Promise<void> {
    return this.pool.close();
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

function statusError(what: string, status: number, text: string): ConnectorError {
  const code = status === 401 || status === 403 ? 'auth_failed' : 'device_error';
  return new ConnectorError(code, `${what}: HTTP ${status}: ${deviceMessage(text)}`, { status });
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

/** For callers that check a parsed body's shape: a well-formed answer that is not what BIG-IP sends. */
export function unexpectedShape(what: string, response: JsonResponse, problem: string): ConnectorError {
  return new ConnectorError('device_error', `${what}: unexpected response: ${problem}`, { status: response.status });
}
