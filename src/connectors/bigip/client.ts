// HTTPS transport to one BIG-IP: the shared device client, reading iControl error bodies (`{"code","message",…}`).
import type { ConnectorOptions, DeviceEndpoint } from '../connector.js';
import { DeviceHttpClient } from '../http.js';

export { type HttpMethod, type JsonResponse, type SendOptions, unexpectedShape } from '../http.js';

function iControlMessage(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}

export class BigipClient extends DeviceHttpClient {
  constructor(endpoint: DeviceEndpoint, options: ConnectorOptions) {
    super(endpoint, options, iControlMessage);
  }
}
