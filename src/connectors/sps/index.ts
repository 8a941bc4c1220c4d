// One Identity SPS connector: lists and kills ongoing sessions over the SPS REST API, following docs/compat/sps.md. No
// deny list (no data-group.ts here): SPS has no login block an API can set, so its connections have no `denyList`.
import type { Connector } from '../connector.js';
import { connectorFor } from '../vendor-connector.js';
import { CookieAuth } from './auth.js';
import { SpsClient } from './client.js';
import { readHealth } from './health.js';
import { killSessions, listSessions } from './sessions.js';

export const spsConnector: Connector = connectorFor({
  kind: 'sps',
  open(endpoint, options) {
    const client = new SpsClient(endpoint, options);
    const auth = new CookieAuth(client, endpoint);
    // SPS has no logout: forget the cookie and close the pool.
    return {
      auth,
      close: () => {
        auth.forget();
        return client.close();
      },
    };
  },
  listSessions,
  killSessions,
  health: readHealth,
});
