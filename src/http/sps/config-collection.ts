// One configuration collection over HTTP, the SPS way (docs/compat/sps.md §2.3–2.6): GET lists `{items, meta}`, POST
// creates (201 `{key, meta}`), GET/PUT/DELETE on `<href>/<key>`; writes go into the caller's transaction (opened on the
// first write), reads see the caller's pending changes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CollectionName } from '../../engine/config/config-model.js';
import { COLLECTION_HREFS, collectionOf } from '../../engine/config/config-model.js';
import type { AppDeps } from '../app.js';
import { listedItems, orderedKeys, renderBody } from './config-render.js';
import {
  errorResponses,
  guard,
  keyParams,
  keySchema,
  listingSchema,
  loginOf,
  metaOnlySchema,
  noSchemaValidation,
  objectSchema,
} from './config-routes.js';
import { configMeta, listing, object, TRANSACTION_HREF } from './envelope.js';
import { SpsError } from './errors.js';

export interface CollectionSpec {
  collection: CollectionName;
  /** Privilege object guarding the collection (read to read, write to write). */
  object: string;
  tag: string;
  /** Singular noun for summaries. */
  noun: string;
  /** Hrefs of the collection and its siblings in the parent node, for the listing's meta. */
  siblings: readonly string[];
  /** JSON schema of a POST/PUT body, for the documentation (validation is the engine's, with clearer messages). */
  bodySchema: Record<string, unknown>;
}

const keyOf = (request: FastifyRequest): string => (request.params as { key: string }).key;

export function registerCollection(app: FastifyInstance, deps: AppDeps, spec: CollectionSpec): void {
  registerReads(app, deps, spec);
  registerWrites(app, deps, spec);
}

function registerReads(app: FastifyInstance, deps: AppDeps, spec: CollectionSpec): void {
  const href = COLLECTION_HREFS[spec.collection];
  const read = { onRequest: guard(spec.object, 'read') };
  const tags = [spec.tag];

  app.get(
    href,
    { ...read, schema: { tags, summary: `List ${spec.noun}s`, response: { 200: listingSchema, ...errorResponses } } },
    async (request) => {
      const view = await deps.config.view(request.spsLogin?.record.id);
      return listing(href, listedItems(view, spec.collection), configMeta(href, spec.siblings));
    },
  );

  app.get(
    `${href}/:key`,
    {
      ...read,
      schema: {
        tags,
        summary: `Read a ${spec.noun}`,
        params: keyParams,
        response: { 200: objectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const key = keyOf(request);
      const view = await deps.config.view(request.spsLogin?.record.id);
      const found = collectionOf(view.state, spec.collection).get(key);
      if (!found)
        throw new SpsError(404, 'NotFound', `There is no ${spec.noun} with key "${key}".`, { path: `${href}/${key}` });
      return object(href, key, renderBody(view, spec.collection, key, found), orderedKeys(view, spec.collection));
    },
  );
}

function registerWrites(app: FastifyInstance, deps: AppDeps, spec: CollectionSpec): void {
  const href = COLLECTION_HREFS[spec.collection];
  const write = { onRequest: guard(spec.object, 'write'), validatorCompiler: noSchemaValidation };
  const tags = [spec.tag];
  const keyed = (key: string) => ({
    key,
    meta: { href: `${href}/${key}`, parent: href, transaction: TRANSACTION_HREF },
  });

  app.post(
    href,
    {
      ...write,
      schema: {
        tags,
        summary: `Create a ${spec.noun} (in your transaction; opened automatically)`,
        body: spec.bodySchema,
        response: { 201: keySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { key } = await deps.config.write(loginOf(request), {
        type: 'create',
        collection: spec.collection,
        body: request.body,
      });
      return reply.code(201).send(keyed(key));
    },
  );

  app.put(
    `${href}/:key`,
    {
      ...write,
      schema: {
        tags,
        summary: `Replace a ${spec.noun} (in your transaction)`,
        params: keyParams,
        body: spec.bodySchema,
        response: { 200: keySchema, ...errorResponses },
      },
    },
    async (request) => {
      const key = keyOf(request);
      await deps.config.write(loginOf(request), {
        type: 'replace',
        collection: spec.collection,
        key,
        body: request.body,
      });
      return keyed(key);
    },
  );

  app.delete(
    `${href}/:key`,
    {
      ...write,
      schema: {
        tags,
        summary: `Delete a ${spec.noun} (in your transaction; the answer is the meta object only)`,
        params: keyParams,
        response: { 200: metaOnlySchema, ...errorResponses },
      },
    },
    async (request) => {
      const key = keyOf(request);
      await deps.config.write(loginOf(request), { type: 'delete', collection: spec.collection, key });
      return { meta: { href: `${href}/${key}`, parent: href } };
    },
  );
}
