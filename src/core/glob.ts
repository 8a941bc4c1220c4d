// Wildcard matching without regular expressions. Patterns come from clients (OData `eq '*…'`, session query values),
// and a `*` compiled to a backtracking `.*` lets a handful of stars take minutes on one string. This is the two-pointer
// glob algorithm: on a mismatch it resumes from the last `*` only, so a match costs at most text × pattern steps.

/** A literal run, or a wildcard: `*` any run of characters (the empty one too), `?` exactly one. */
export type GlobPart = string | { readonly wildcard: '*' | '?' };

export interface GlobOptions {
  /** Compare lower-cased text and pattern (default: exact). */
  ignoreCase?: boolean;
}

const ANY_RUN = Symbol('*');
const ANY_ONE = Symbol('?');
type PatternSymbol = string | typeof ANY_RUN | typeof ANY_ONE;

/** `*` as the only wildcard, the rest literal (OData `$filter` values). */
export function starPattern(pattern: string): GlobPart[] {
  const parts: GlobPart[] = [];
  pattern.split('*').forEach((literal, index) => {
    if (index > 0) parts.push({ wildcard: '*' });
    if (literal !== '') parts.push(literal);
  });
  return parts;
}

/** Whether the whole of `text` matches the pattern. Characters are code points, so `?` takes a whole emoji. */
export function matchesGlob(parts: readonly GlobPart[], text: string, options: GlobOptions = {}): boolean {
  const fold = (value: string) => (options.ignoreCase ? value.toLowerCase() : value);
  const pattern = compile(parts, fold);
  const chars = Array.from(fold(text));
  let p = 0;
  let t = 0;
  // The last `*` seen and the text position it is currently stretched to: where a mismatch resumes.
  let lastStar = -1;
  let lastStarText = 0;
  while (t < chars.length) {
    const symbol = pattern[p];
    if (symbol === ANY_RUN) {
      lastStar = p;
      lastStarText = t;
      p += 1;
    } else if (p < pattern.length && (symbol === ANY_ONE || symbol === chars[t])) {
      p += 1;
      t += 1;
    } else if (lastStar >= 0) {
      // Let the last `*` take one more character and retry what follows it.
      lastStarText += 1;
      t = lastStarText;
      p = lastStar + 1;
    } else {
      return false;
    }
  }
  while (pattern[p] === ANY_RUN) p += 1;
  return p === pattern.length;
}

function compile(parts: readonly GlobPart[], fold: (value: string) => string): PatternSymbol[] {
  const symbols: PatternSymbol[] = [];
  for (const part of parts) {
    if (typeof part === 'string') symbols.push(...Array.from(fold(part)));
    else if (part.wildcard === '?') symbols.push(ANY_ONE);
    // Consecutive stars are one star.
    else if (symbols[symbols.length - 1] !== ANY_RUN) symbols.push(ANY_RUN);
  }
  return symbols;
}
