// Liveness and identity probes that BIG-IQ clients call before anything else (XSOAR, BIGREST, f5-sdk, f5-conx-core).
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';
import { bigiqErrorSchema, sendBigiqError } from './errors.js';
import { BIGIQ_VERSION } from './resolver.render.js';

const TAGS = ['BIG-IQ system'];
const SYS_PATH = '/mgmt/tm/sys';
const VERSION_PATH = `${SYS_PATH}/version`;
const versioned = (path: string) => `https://localhost${path}?ver=${BIGIQ_VERSION}`;

const echoSchema = {
  tags: TAGS,
  summary: 'Liveness check (needs authentication, like BIG-IQ)',
  response: {
    200: {
      type: 'object',
      properties: {
        kind: { type: 'string' },
        selfLink: { type: 'string' },
        generation: { type: 'integer' },
        lastUpdateMicros: { type: 'integer' },
      },
      required: ['kind', 'selfLink', 'generation', 'lastUpdateMicros'],
    },
    401: bigiqErrorSchema,
  },
} as const;

const ATC_INFO_PATHS = [
  '/mgmt/shared/fast/info',
  '/mgmt/shared/appsvcs/info',
  '/mgmt/shared/declarative-onboarding/info',
  '/mgmt/shared/telemetry/info',
  '/mgmt/shared/cloud-failover/info',
];

export async function registerSystemRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  for (const path of ['/mgmt/shared/echo', '/mgmt/shared/echo-query']) {
    app.get(path, { schema: echoSchema }, async () => ({
      kind: 'shared:echo:echoworkerstate',
      selfLink: `https://localhost${path}`,
      generation: 0,
      lastUpdateMicros: Date.now() * 1000,
    }));
  }

  app.get(
    '/mgmt/shared/identified-devices/config/device-info',
    { schema: { tags: TAGS, summary: 'This server as a BIG-IQ device (f5-conx-core discover reads it)' } },
    async (request) => deviceInfo(deps, request.hostname),
  );

  registerSysRoutes(app, deps);

  // f5-conx-core's discover() probes the ATC extensions and swallows errors: a JSON 404 says "not installed".
  for (const path of ATC_INFO_PATHS) {
    app.get(
      path,
      { schema: { tags: TAGS, summary: 'Not installed (404)', response: { 404: bigiqErrorSchema } } },
      async (_request, reply) => sendBigiqError(reply, 404, 'Public URI path not registered'),
    );
  }
}

// Ansible's f5_modules GET /mgmt/tm/sys/ (after a failed login, and as tmos_version()) and take the version from the
// selfLink's `?ver=`; f5-sdk style clients read /mgmt/tm/sys/version. Only these two of BIG-IP's sys tree exist.
function registerSysRoutes(app: FastifyInstance, deps: AppDeps): void {
  const schema = (summary: string) => ({ tags: TAGS, summary, response: { 401: bigiqErrorSchema } });
  app.get(SYS_PATH, { schema: schema('The sys collection (Ansible reads ?ver= from its selfLink)') }, async () => ({
    kind: 'tm:sys:syscollectionstate',
    selfLink: versioned(SYS_PATH),
    items: [{ reference: { link: versioned(VERSION_PATH) } }],
  }));
  app.get(VERSION_PATH, { schema: schema('Version, as BIG-IP words it') }, async () => {
    const stats = { Build: deps.version, Edition: 'curfew', Product: 'BIG-IQ', Title: 'Main Package' };
    const entries = Object.fromEntries(
      Object.entries({ ...stats, Version: BIGIQ_VERSION }).map(([name, value]) => [name, { description: value }]),
    );
    return {
      kind: 'tm:sys:version:versionstats',
      selfLink: versioned(VERSION_PATH),
      entries: { [`https://localhost${VERSION_PATH}/0`]: { nestedStats: { entries } } },
    };
  });
}

function deviceInfo(deps: AppDeps, host: string) {
  const hostname = host.replace(/:\d+$/, '') || 'localhost';
  return {
    machineId: deps.machineId,
    hostname,
    address: hostname,
    managementAddress: hostname,
    version: BIGIQ_VERSION,
    product: 'BIG-IQ',
    edition: 'curfew',
    build: deps.version,
    restFrameworkVersion: BIGIQ_VERSION,
    mcpDeviceName: '/Common/curfew',
    platform: 'Z100',
    platformMarketingName: 'curfew',
    isClustered: false,
    isVirtual: true,
    isIControlRestSupported: true,
    slots: [{ volume: 'HD1.1', product: 'BIG-IQ', version: BIGIQ_VERSION, build: deps.version, isActive: true }],
    generation: 0,
    lastUpdateMicros: Date.now() * 1000,
    kind: 'shared:resolver:device-groups:deviceinfostate',
    selfLink: 'https://localhost/mgmt/shared/identified-devices/config/device-info',
  };
}
