// HTTPS transport to one SPS: the shared device client, reading SPS error bodies
// (`{"error":{"type","message","details"},"meta":{…}}`, docs/compat/sps.md §2.7).
import type { ConnectorOptions, DeviceEndpoint } from '../connector.js';
import { DeviceHttpClient } from '../http.js';

export { type HttpMethod, type JsonResponse, type SendOptions, unexpectedShape } from '../http.js';

function errorElement(body: unknown): { type?: unknown; message?: unknown } | undefined {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'object' && error !== null ? error : undefined;
}

/** `error.type`, e.g. `SessionCouldNotBeFound`. */
export function spsErrorType(body: unknown): string | undefined {
  const type = errorElement(body)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** `<type>: <message>`, the way safeguard-ps reports SPS errors. */
export function spsErrorMessage(body: unknown): string | undefined {
  const message = errorElement(body)?.message;
  const type = spsErrorType(body);
  if (typeof message !== 'string') return type;
  return type === undefined ? message : `${type}: ${message}`;
}

export class SpsClient extends DeviceHttpClient {
  constructor(endpoint: DeviceEndpoint, options: ConnectorOptions) {
    super(endpoint, options, spsErrorMessage);
  }
}
