// BIG-IP APM connector: lists and kills access sessions over iControl REST, following docs/compat/bigip-device.md, and
// keeps the curfew deny list (an internal data group) the access policy consults.
import type { Connector } from '../connector.js';
import { connectorFor } from '../vendor-connector.js';
import { TokenAuth } from './auth.js';
import { BigipClient } from './client.js';
import { readDenyList, writeDenyList } from './data-group.js';
import { readHealth } from './health.js';
import { killSessions, listSessions } from './sessions.js';

export const bigipConnector: Connector = connectorFor({
  kind: 'bigip',
  open(endpoint, options) {
    const client = new BigipClient(endpoint, options);
    const auth = new TokenAuth(client, endpoint);
    // Tokens left behind pile up on a BIG-IP until logins are refused: delete ours before closing the pool.
    return { auth, close: () => auth.logout().then(() => client.close()) };
  },
  listSessions,
  killSessions,
  health: readHealth,
  denyList: { read: readDenyList, write: writeDenyList },
});
