// Tokens of the session search language (see session-query.ts for the grammar). Positions are 0-based offsets into
// the query text, so an error can point at the character at fault.

/** A malformed search query; `position` is the 0-based offset of the offending character. */
export class SessionQueryError extends Error {
  override readonly name = 'SessionQueryError';
  readonly position: number;

  constructor(reason: string, position: number) {
    super(`${reason} at position ${position}`);
    this.position = position;
  }
}

/** One character of a bare word; escaped ones (`\*`, `\:`) never act as syntax. */
export interface QueryChar {
  readonly c: string;
  readonly escaped: boolean;
}

interface At {
  /** The source text of the token. */
  readonly raw: string;
  readonly position: number;
}

export type Token =
  | (At & { readonly type: 'word'; readonly chars: readonly QueryChar[] })
  | (At & { readonly type: 'string'; readonly text: string })
  | (At & {
      readonly type: 'range';
      readonly low: string;
      readonly high: string;
      readonly lowInclusive: boolean;
      readonly highInclusive: boolean;
    })
  | (At & { readonly type: '(' | ')' | 'and' | 'or' | 'not' | 'must' | 'end' });

const KEYWORDS: Readonly<Record<string, 'and' | 'or' | 'not'>> = { AND: 'and', OR: 'or', NOT: 'not' };
const isSpace = (c: string) => /\s/.test(c);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    if (isSpace(text.charAt(at))) {
      at += 1;
      continue;
    }
    const token = readToken(text, at);
    tokens.push(token);
    at += token.raw.length;
  }
  tokens.push({ type: 'end', raw: '', position: text.length });
  return tokens;
}

function readToken(text: string, at: number): Token {
  const c = text.charAt(at);
  const pair = text.slice(at, at + 2);
  if (c === '(' || c === ')') return { type: c, raw: c, position: at };
  if (pair === '&&') return { type: 'and', raw: pair, position: at };
  if (pair === '||') return { type: 'or', raw: pair, position: at };
  if (c === '!') return { type: 'not', raw: c, position: at };
  // `+term` / `-term` are Lucene's required / prohibited prefixes; a lone `-` is left to fail as a term.
  const next = text.charAt(at + 1);
  if ((c === '+' || c === '-') && next !== '' && !isSpace(next)) {
    return { type: c === '+' ? 'must' : 'not', raw: c, position: at };
  }
  if (c === '"') return readString(text, at);
  if (c === '[' || c === '{') return readRange(text, at);
  return readWord(text, at);
}

function readString(text: string, start: number): Token {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const c = text.charAt(at);
    if (c === '"') return { type: 'string', text: value, raw: text.slice(start, at + 1), position: start };
    if (c === '\\') {
      if (at + 1 >= text.length) break;
      value += text.charAt(at + 1);
      at += 2;
      continue;
    }
    value += c;
    at += 1;
  }
  throw new SessionQueryError('unterminated quoted value', start);
}

function readRange(text: string, start: number): Token {
  const close = text.slice(start + 1).search(/[\]}]/);
  if (close < 0) throw new SessionQueryError('unterminated range; write [from TO to]', start);
  const end = start + 1 + close;
  const parts = text
    .slice(start + 1, end)
    .trim()
    .split(/\s+/);
  const [low, to, high] = parts;
  if (parts.length !== 3 || to !== 'TO' || low === undefined || high === undefined) {
    throw new SessionQueryError('a range is written [from TO to] (use * for an open end)', start);
  }
  return {
    type: 'range',
    low,
    high,
    lowInclusive: text.charAt(start) === '[',
    highInclusive: text.charAt(end) === ']',
    raw: text.slice(start, end + 1),
    position: start,
  };
}

/** A bare word: up to whitespace, a parenthesis or a quote, or a range right after the field's colon. */
function readWord(text: string, start: number): Token {
  const chars: QueryChar[] = [];
  let at = start;
  while (at < text.length) {
    const c = text.charAt(at);
    if (isSpace(c) || c === '(' || c === ')' || c === '"') break;
    if ((c === '[' || c === '{') && endsWithFieldColon(chars)) break;
    if (c === '\\') {
      if (at + 1 >= text.length) throw new SessionQueryError('a trailing \\ escapes nothing', at);
      chars.push({ c: text.charAt(at + 1), escaped: true });
      at += 2;
      continue;
    }
    chars.push({ c, escaped: false });
    at += 1;
  }
  const raw = text.slice(start, at);
  const keyword = chars.every((ch) => !ch.escaped) ? KEYWORDS[raw] : undefined;
  return keyword ? { type: keyword, raw, position: start } : { type: 'word', chars, raw, position: start };
}

function endsWithFieldColon(chars: readonly QueryChar[]): boolean {
  const colon = chars.findIndex((ch) => ch.c === ':' && !ch.escaped);
  return colon >= 0 && colon === chars.length - 1;
}
