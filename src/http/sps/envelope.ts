// The SPS message format (docs/compat/sps.md §2): every body has `meta` with links; configuration nodes link their
// siblings; objects are `{key, body, meta}`; references go out as `{key, meta: {href}}` and come in as bare keys.

export interface Meta {
  href: string;
  parent: string | null;
  first?: string | null;
  last?: string | null;
  next?: string | null;
  previous?: string | null;
  transaction?: string;
  [extra: string]: unknown;
}

export const TRANSACTION_HREF = '/api/transaction';

export function parentOf(href: string): string | null {
  if (href === '/api' || href === '/api/') return null;
  const cut = href.replace(/\/+$/, '').lastIndexOf('/');
  return cut <= 0 ? null : href.slice(0, cut);
}

/** Sibling links of `href` among `siblings` (hrefs in their listing order). */
export function siblingLinks(
  href: string,
  siblings: readonly string[],
): Pick<Meta, 'first' | 'last' | 'next' | 'previous'> {
  const at = siblings.indexOf(href);
  return {
    first: siblings[0] ?? null,
    last: siblings[siblings.length - 1] ?? null,
    next: at >= 0 ? (siblings[at + 1] ?? null) : null,
    previous: at > 0 ? (siblings[at - 1] ?? null) : null,
  };
}

/** meta of a configuration node or object: parent, siblings and the transaction link. */
export function configMeta(href: string, siblings: readonly string[] = []): Meta {
  return { href, parent: parentOf(href), ...siblingLinks(href, siblings), transaction: TRANSACTION_HREF };
}

export interface ListedItem {
  key: string;
  meta: { href: string };
}

export const item = (key: string, href: string): ListedItem => ({ key, meta: { href } });

/** A node listing: `{items: [{key, meta: {href}}], meta}`. */
export function listing(href: string, items: readonly ListedItem[], meta: Meta = configMeta(href)) {
  return { items, meta };
}

/** One object: `{key, body, meta}` with sibling links among its collection. */
export function object(collectionHref: string, key: string, body: unknown, siblingKeys: readonly string[] = []) {
  const href = `${collectionHref}/${key}`;
  return {
    key,
    body,
    meta: configMeta(
      href,
      siblingKeys.map((k) => `${collectionHref}/${k}`),
    ),
  };
}

/** A reference as SPS shows it inside a body. */
export function reference(collectionHref: string, key: string): ListedItem {
  return item(key, `${collectionHref}/${key}`);
}
