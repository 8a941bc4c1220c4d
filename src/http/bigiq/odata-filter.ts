// The OData `$filter` dialect that BIG-IQ clients send (docs/compat/bigiq.md §4): a lexer, a recursive-descent parser
// and an evaluator over plain JSON items. Pure and dependency-free.
//
//   filter     = or
//   or         = and { "or" and }
//   and        = unary { "and" unary }
//   unary      = "not" unary | primary                 ("not" binds tighter than "and", which binds tighter than "or")
//   primary    = "(" or ")" | call | comparison
//   call       = function "(" args ")" [ ("eq" | "ne") ("true" | "false") ]
//   comparison = property operator value
//   property   = word | 'quoted'                        a "/" path: properties/cm:access:access_group
//   value      = 'quoted' | number | true | false | null | word   (a bare word is a string: `status eq STARTED`)
//
// Keywords, operators and function names are case-insensitive; property names and values are not. The left side of
// a comparison is always a property and the right side always a value, which is how real clients write
// `'address' eq '10.255.4.1'` (quoted property) next to `status eq STARTED` (bare value).
//
// Any logged-in user can send a filter, so each one has a budget (FILTER_LIMITS, docs/security.md): the parser
// recurses, and the evaluator runs the whole tree once per item of a collection.

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterLiteral = string | number | boolean | null;
export type StringFunction = 'substringof' | 'startswith' | 'endswith' | 'contains';

export type FilterExpr =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly operand: FilterExpr }
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly path: readonly string[];
      readonly value: FilterLiteral;
    }
  | {
      readonly kind: 'function';
      readonly name: StringFunction;
      readonly path: readonly string[];
      readonly value: string;
    };

/** A malformed OData query option; the BIG-IQ routes answer it with a 400. */
export class ODataError extends Error {
  override readonly name = 'ODataError';
  /** The query option at fault, e.g. `$filter`. */
  readonly option: string;
  /** Offset into the option's value where parsing failed, when there is one. */
  readonly position: number | undefined;

  constructor(message: string, option: string, position?: number) {
    super(message);
    this.option = option;
    this.position = position;
  }
}

/** The budget of one `$filter`: characters, nesting of parentheses and `not`, and AST nodes. */
export const FILTER_LIMITS = { maxLength: 8192, maxDepth: 32, maxNodes: 512 } as const;

const OPERATORS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const FUNCTIONS: readonly StringFunction[] = ['substringof', 'startswith', 'endswith', 'contains'];
export const NUMBER = /^-?\d+(\.\d+)?([eE]-?\d+)?$/;

function filterError(what: string, position: number, expected?: string): ODataError {
  const hint = expected === undefined ? '' : `; expected ${expected}`;
  return new ODataError(`Invalid $filter: ${what} at position ${position}${hint}`, '$filter', position);
}

/** Splits a `/` property path; undefined when a segment is empty (`a//b`, `/a`). */
export function splitPath(name: string): string[] | undefined {
  const segments = name.split('/');
  return segments.includes('') ? undefined : segments;
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer

interface Token {
  readonly type: 'word' | 'string' | '(' | ')' | ',' | 'end';
  /** The word, or the string's content with `''` unescaped. */
  readonly value: string;
  /** The source text, for error messages. */
  readonly raw: string;
  readonly position: number;
}

// `+` is a form-encoded space. It has no meaning of its own in this grammar, so it is skipped even when the caller
// passes a query string that was not form-decoded (`'address'+eq+'10.255.4.124'`).
const isBlank = (char: string): boolean => char === '+' || /\s/.test(char);
const PUNCTUATION = new Set(['(', ')', ',']);

/** The tokens of `text`; the parser supplies the end-of-input token. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text.charAt(position);
    if (isBlank(char)) {
      position += 1;
      continue;
    }
    if (char === '"') throw filterError(`unexpected character '"'`, position, 'single quotes around names and values');
    const token: Token = PUNCTUATION.has(char)
      ? { type: char as '(' | ')' | ',', value: char, raw: char, position }
      : char === "'"
        ? readString(text, position)
        : readWord(text, position);
    tokens.push(token);
    position += token.raw.length;
  }
  return tokens;
}

function readString(text: string, start: number): Token {
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text.charAt(position);
    if (char !== "'") {
      value += char;
      position += 1;
    } else if (text.charAt(position + 1) === "'") {
      value += "'";
      position += 2;
    } else {
      return { type: 'string', value, raw: text.slice(start, position + 1), position: start };
    }
  }
  throw filterError('unterminated string starting', start);
}

function readWord(text: string, start: number): Token {
  let end = start;
  while (end < text.length) {
    const char = text.charAt(end);
    if (isBlank(char) || PUNCTUATION.has(char) || char === "'" || char === '"') break;
    end += 1;
  }
  const word = text.slice(start, end);
  return { type: 'word', value: word, raw: word, position: start };
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'end of input';
    case 'word':
      return `token '${token.raw}'`;
    case 'string':
      return `string ${token.raw}`;
    default:
      return `'${token.raw}'`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

const START_OF_TERM = "a property name, a function, 'not' or '('";
const CONNECTIVES = new Set(['and', 'or', 'not']);

class FilterParser {
  private readonly tokens: readonly Token[];
  private readonly end: Token;
  private index = 0;
  /** Open parentheses and `not`s around the current position. */
  private depth = 0;
  private nodes = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
    this.end = { type: 'end', value: '', raw: '', position: text.length };
  }

  parse(): FilterExpr {
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.type !== 'end') throw this.unexpected(rest, "'and', 'or' or end of input");
    return expr;
  }

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    for (let at = this.peek(); this.acceptKeyword('or'); at = this.peek()) {
      left = this.counted({ kind: 'or', left, right: this.parseAnd() }, at);
    }
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary();
    for (let at = this.peek(); this.acceptKeyword('and'); at = this.peek()) {
      left = this.counted({ kind: 'and', left, right: this.parseUnary() }, at);
    }
    return left;
  }

  private parseUnary(): FilterExpr {
    const token = this.peek();
    if (!this.acceptKeyword('not')) return this.parsePrimary();
    const operand = this.nested(token, () => this.parseUnary());
    return this.counted({ kind: 'not', operand }, token);
  }

  private parsePrimary(): FilterExpr {
    const token = this.peek();
    if (token.type === '(') {
      this.index += 1;
      const inner = this.nested(token, () => this.parseOr());
      this.expect(')');
      return inner;
    }
    if (token.type === 'word' && this.peek(1).type === '(') return this.counted(this.parseCall(), token);
    return this.counted(this.parseComparison(), token);
  }

  /** Parses what `opener` (a `(` or a `not`) opens, within the nesting budget: the parser recurses per level. */
  private nested(opener: Token, parse: () => FilterExpr): FilterExpr {
    if (++this.depth > FILTER_LIMITS.maxDepth) {
      throw filterError(`nesting deeper than ${FILTER_LIMITS.maxDepth} (parentheses and 'not')`, opener.position);
    }
    const expr = parse();
    this.depth -= 1;
    return expr;
  }

  /** Counts a node against the budget: evaluation walks every node for every item. */
  private counted(expr: FilterExpr, at: Token): FilterExpr {
    if (++this.nodes > FILTER_LIMITS.maxNodes) {
      throw filterError(`more than ${FILTER_LIMITS.maxNodes} terms and operators`, at.position);
    }
    return expr;
  }

  private parseComparison(): FilterExpr {
    const path = this.parsePath(START_OF_TERM);
    const token = this.next();
    const op = OPERATORS.find((candidate) => token.type === 'word' && token.value.toLowerCase() === candidate);
    if (op === undefined) {
      const what = token.type === 'word' ? `unknown operator '${token.raw}'` : `unexpected ${describe(token)}`;
      throw filterError(what, token.position, 'eq, ne, gt, ge, lt or le');
    }
    return { kind: 'compare', op, path, value: this.parseLiteral() };
  }

  private parseCall(): FilterExpr {
    const token = this.next();
    const name = FUNCTIONS.find((candidate) => token.value.toLowerCase() === candidate);
    if (name === undefined) {
      throw filterError(
        `unknown function '${token.raw}'`,
        token.position,
        'substringof, startswith, endswith or contains',
      );
    }
    this.expect('(');
    let path: string[];
    let value: string;
    // OData v2's substringof takes the needle first; the other functions take the property first.
    if (name === 'substringof') {
      value = this.parseText();
      this.expect(',');
      path = this.parsePath('a property name');
    } else {
      path = this.parsePath('a property name');
      this.expect(',');
      value = this.parseText();
    }
    this.expect(')');
    return this.parseCallComparison({ kind: 'function', name, path, value });
  }

  /** The OData v2 idiom `substringof('x', name) eq true`: fold `eq|ne true|false` into the call or its negation. */
  private parseCallComparison(call: FilterExpr): FilterExpr {
    const operator = this.peek();
    const op = operator.type === 'word' ? operator.value.toLowerCase() : '';
    if (op !== 'eq' && op !== 'ne') return call;
    this.index += 1;
    const valueToken = this.peek();
    const value = String(this.parseLiteral());
    if (value !== 'true' && value !== 'false')
      throw this.unexpected(valueToken, `true or false after '${operator.raw}'`);
    return (op === 'eq') === (value === 'true') ? call : { kind: 'not', operand: call };
  }

  private parsePath(expected: string): string[] {
    const token = this.next();
    // A bare keyword here is a misplaced connective (`a eq 1 or or b eq 2`); quote it to use it as a name.
    const isKeyword = token.type === 'word' && CONNECTIVES.has(token.value.toLowerCase());
    if ((token.type !== 'word' && token.type !== 'string') || isKeyword) throw this.unexpected(token, expected);
    const path = splitPath(token.value);
    if (path === undefined) throw filterError(`empty segment in property path '${token.value}'`, token.position);
    return path;
  }

  private parseLiteral(): FilterLiteral {
    const token = this.next();
    if (token.type === 'string') return token.value;
    if (token.type !== 'word') throw this.unexpected(token, 'a value');
    const lower = token.value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    if (lower === 'null') return null;
    return NUMBER.test(token.value) ? Number(token.value) : token.value;
  }

  private parseText(): string {
    const token = this.peek();
    const value = this.parseLiteral();
    if (value === null) throw this.unexpected(token, 'a text value');
    return String(value);
  }

  private peek(offset = 0): Token {
    return this.tokens[this.index + offset] ?? this.end;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token.type !== 'word' || token.value.toLowerCase() !== keyword) return false;
    this.index += 1;
    return true;
  }

  private expect(type: Token['type']): void {
    const token = this.next();
    if (token.type !== type) throw this.unexpected(token, `'${type}'`);
  }

  private unexpected(token: Token, expected: string): ODataError {
    return filterError(`unexpected ${describe(token)}`, token.position, expected);
  }
}

/** Parses a `$filter` value that the HTTP layer has already URL-decoded. Throws ODataError. */
export function parseFilter(text: string): FilterExpr {
  if (text.length > FILTER_LIMITS.maxLength) {
    throw new ODataError(
      `Invalid $filter: longer than ${FILTER_LIMITS.maxLength} characters`,
      '$filter',
      FILTER_LIMITS.maxLength,
    );
  }
  return new FilterParser(text).parse();
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluator
