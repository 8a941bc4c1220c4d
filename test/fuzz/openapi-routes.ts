// The routes to fuzz, read from the app's own OpenAPI document (/docs/json): what a client can see is what is fuzzed,
// so a new route is covered the day it is documented.
import type { FastifyInstance } from 'fastify';

/** The subset of JSON Schema the route schemas use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  description?: string;
}

export interface FuzzParameter {
  name: string;
  schema: JsonSchema;
}

export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path, `{name}` for parameters. */
  path: string;
  pathParams: string[];
  query: FuzzParameter[];
  /** JSON body schema, when the route documents one. */
  body: JsonSchema | undefined;
  surface: 'sps' | 'bigiq' | 'other';
  /** Reads `$filter` and friends (BIG-IQ collections). */
  odata: boolean;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Streams never end by themselves: fuzzed only by callers refused before the stream starts. */
export const STREAMING = new Set(['GET /api/events']);

export async function documentedRoutes(app: FastifyInstance): Promise<FuzzRoute[]> {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  if (res.statusCode !== 200) throw new Error(`no OpenAPI document: ${res.statusCode}`);
  const doc = res.json() as { paths: Record<string, Record<string, OpenApiOperation>> };
  const routes: FuzzRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const query = parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} }));
      routes.push({
        method: method.toUpperCase() as FuzzRoute['method'],
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query,
        body: operation.requestBody?.content?.['application/json']?.schema,
        surface: path === '/api' || path.startsWith('/api/') ? 'sps' : path.startsWith('/mgmt/') ? 'bigiq' : 'other',
        odata: query.some((p) => p.name === '$filter'),
      });
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

export const routeName = (route: Pick<FuzzRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;
