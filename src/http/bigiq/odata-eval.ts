// Evaluating a parsed OData $filter against an item: path resolution through nested objects and arrays, literal
// comparison, `*` wildcards and the string functions.
import { matchesGlob, starPattern } from '../../core/glob.js';
import {
  type ComparisonOperator,
  type FilterExpr,
  type FilterLiteral,
  NUMBER,
  type StringFunction,
} from './odata-filter.js';

type Scalar = string | number | boolean;

const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every value a path reaches. Arrays along the way (and at the end) are searched element by element, so
 * `attachedPoliciesReferences/link` reaches each reference's link. A missing path reaches nothing.
 */
export function resolvePath(item: unknown, path: readonly string[]): unknown[] {
  let reached: unknown[] = [item];
  for (const segment of path) reached = reached.flatMap((value) => step(value, segment));
  return reached.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function step(value: unknown, segment: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => step(element, segment));
  if (!isRecord(value)) return [];
  if (Object.hasOwn(value, segment)) return [value[segment]];
  // `.` also separates segments, but an exact key wins so that names containing dots (IPs, hostnames) still resolve.
  for (let dot = segment.indexOf('.'); dot !== -1; dot = segment.indexOf('.', dot + 1)) {
    const head = segment.slice(0, dot);
    if (Object.hasOwn(value, head)) return step(value[head], segment.slice(dot + 1));
  }
  return [];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function toNumber(value: Scalar): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && NUMBER.test(value) ? Number(value) : undefined;
}

/**
 * Orders an item value against a literal; undefined when they cannot be ordered (null, objects).
 * Numbers compare numerically with numbers and numeric strings (`httpsPort eq '443'`); everything else compares as
 * text, which makes booleans compare as the strings 'true' / 'false' (docs/compat/bigiq.md §4.2).
 */
function compareScalars(value: unknown, literal: FilterLiteral): number | undefined {
  if (!isScalar(value) || literal === null) return undefined;
  if (typeof value === 'number' || typeof literal === 'number') {
    const a = toNumber(value);
    const b = toNumber(literal);
    if (a !== undefined && b !== undefined) return Math.sign(a - b);
  }
  return compareText(String(value), String(literal));
}

function equals(value: unknown, literal: FilterLiteral): boolean {
  const absent = value === null || value === undefined;
  if (literal === null || absent) return literal === null && absent;
  // `*` is a glob in eq/ne values; `'*'` alone means "exists", which includes object values.
  if (typeof literal === 'string' && literal.includes('*')) {
    // A linear-time matcher: a regex built from the pattern backtracks exponentially on `'******Z'`.
    return isScalar(value) ? matchesGlob(starPattern(literal), String(value)) : literal === '*';
  }
  return compareScalars(value, literal) === 0;
}

const ORDERINGS: Record<Exclude<ComparisonOperator, 'eq' | 'ne'>, (order: number) => boolean> = {
  gt: (order) => order > 0,
  ge: (order) => order >= 0,
  lt: (order) => order < 0,
  le: (order) => order <= 0,
};

/** A comparison holds if any reached value satisfies it; `ne` is the negation of `eq`; nothing reached is null. */
function evaluateComparison(op: ComparisonOperator, reached: unknown[], literal: FilterLiteral): boolean {
  const values = reached.length === 0 ? [null] : reached;
  if (op === 'eq' || op === 'ne') return values.some((value) => equals(value, literal)) === (op === 'eq');
  const holds = ORDERINGS[op];
  return values.some((value) => {
    const order = compareScalars(value, literal);
    return order !== undefined && holds(order);
  });
}

const STRING_TESTS: Record<StringFunction, (text: string, needle: string) => boolean> = {
  substringof: (text, needle) => text.includes(needle),
  contains: (text, needle) => text.includes(needle),
  startswith: (text, needle) => text.startsWith(needle),
  endswith: (text, needle) => text.endsWith(needle),
};

export function evaluateFilter(expr: FilterExpr, item: Readonly<Record<string, unknown>>): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluateFilter(expr.left, item) && evaluateFilter(expr.right, item);
    case 'or':
      return evaluateFilter(expr.left, item) || evaluateFilter(expr.right, item);
    case 'not':
      return !evaluateFilter(expr.operand, item);
    case 'compare':
      return evaluateComparison(expr.op, resolvePath(item, expr.path), expr.value);
    case 'function': {
      const test = STRING_TESTS[expr.name];
      return resolvePath(item, expr.path).some((value) => isScalar(value) && test(String(value), expr.value));
    }
  }
}
