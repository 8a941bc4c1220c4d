// The error messages curfew's HTTP surfaces can send, read from the source with the TypeScript AST, for
// test/docs-errors.test.ts. TypeScript 7 has no in-process parser (`ts.createSourceFile`); its AST comes from the
// compiler process through `typescript/unstable/sync`, and is walked here like the classic one.
//
// A message starts at a *seed*: `new C(…)` of an error class that reaches the wire (every `extends Error` class under
// src/http, plus the domain classes the surfaces render), or a call of an error-body builder (`bigiqErrorBody`). The
// message argument is then read as far as the code makes it a constant:
// - string literals and template literals; each `${…}` is a run-time part (`null` below, `<…>` in docs/errors.md)
//   unless it names a constant (`${AUTH_FAILED}`, `${FILTER_LIMITS.maxDepth}`, `${SPS_MESSAGES.NotFound}`);
// - constants, object-literal constants (`SPS_MESSAGES.NotFound`) and `const` locals;
// - `a ? b : c`, `a ?? b`, `a + b`, `x.trim()`;
// - calls of functions in src (the strings they return);
// - a parameter: the helper is followed to every call site (`invalid(message)` → each `invalid('…')`), together with
//   the status and type arguments, so each message keeps the status it is sent with;
// - `<error>.message` forwards another error's message: not a message of its own (that error is a seed itself).
// Anything else is *unresolved*: the test fails until the code uses a constant form or the site is listed with where
// its messages come from.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as ts from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';

/** A message: literal text, with `null` for each part computed at run time. */
export type Part = string | null;

export interface CodeMessage {
  parts: Part[];
  /** `<…>` for each run-time part, whitespace collapsed: how the message reads in reports. */
  text: string;
  /** The seed: the error class constructed, or the body builder called. */
  source: string;
  /** Constant arguments of the seed, e.g. `{ status: '404', type: 'NotFound' }`; run-time ones are absent. */
  attrs: Record<string, string>;
  /** `file:line` of the literal the message text comes from. */
  at: string;
}

export interface Unresolved {
  /** `file:line` and the source text of the expression that could not be read. */
  at: string;
  file: string;
  expression: string;
  source: string;
  attrs: Record<string, string>;
}

export interface Catalogue {
  messages: CodeMessage[];
  /** Seeds whose message is another error's `.message`. */
  forwarded: string[];
  unresolved: Unresolved[];
}

export interface SeedOptions {
  /** Files whose `extends Error` classes all reach the wire (path prefixes, relative to the root). */
  wireClassDirs: readonly string[];
  /** Further error classes that reach the wire, by name, wherever they are declared under the roots. */
  wireClasses: readonly string[];
  /** Constant arguments worth keeping, per class or builder, by position. */
  attrs: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Functions that build an error body, and the position of their message argument. */
  bodyBuilders: Readonly<Record<string, number>>;
}

export interface PushedMessages {
  /** File whose `<array>.push(…)` arguments are messages. */
  file: string;
  array: string;
}

// ---- Loading -------------------------------------------------------------------------------------------------------

interface Module {
  file: string;
  source: ts.SourceFile;
  /** Top-level functions, classes and variables by name. */
  decls: Map<string, ts.Node>;
  /** Local name → module file and exported name. */
  imports: Map<string, { from: string; name: string }>;
  reexports: Map<string, { from: string; name: string }>;
}

function listTs(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return join(dirname(fromFile), specifier.replace(/\.js$/, '.ts'));
}

function indexModule(file: string, source: ts.SourceFile): Module {
  const module: Module = { file, source, decls: new Map(), imports: new Map(), reexports: new Map() };
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      if (statement.name) module.decls.set(statement.name.text, statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) module.decls.set(declaration.name.text, declaration);
      }
    } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = resolveSpecifier(file, statement.moduleSpecifier.text);
      const bindings = statement.importClause?.namedBindings;
      if (from && bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          const name = element.propertyName?.text ?? element.name.text;
          module.imports.set(element.name.text, { from, name });
        }
      }
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      const from = resolveSpecifier(file, statement.moduleSpecifier.text);
      if (!from) continue;
      for (const element of statement.exportClause.elements) {
        const name = element.propertyName?.text ?? element.name.text;
        module.reexports.set(element.name.text, { from, name });
      }
    }
  }
  return module;
}

/** Parses every .ts file under `roots` (relative to `root`) through the compiler of the project's tsconfig. */
export function loadModules(root: string, roots: readonly string[]): Map<string, Module> {
  const api = new API({ cwd: root });
  try {
    const project = api.updateSnapshot({ openProject: join(root, 'tsconfig.json') }).getProjects()[0];
    if (!project) throw new Error('tsconfig.json did not load as a project');
    const modules = new Map<string, Module>();
    for (const file of roots.flatMap((dir) => listTs(root, dir))) {
      const source = project.program.getSourceFile(resolve(root, file));
      if (!source) throw new Error(`${file} is not part of the tsconfig.json program`);
      modules.set(file, indexModule(file, source));
    }
    return modules;
  } finally {
    api.close();
  }
}

// ---- Values --------------------------------------------------------------------------------------------------------

type Value =
  | { kind: 'text'; parts: Part[]; at: ts.Node }
  | { kind: 'forwarded' }
  /** undefined, null or '': not a message. */
  | { kind: 'none' }
  | { kind: 'unresolved'; node: ts.Node };

type FnLike =
  | ts.FunctionDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration;

/** One activation of a function: its parameters are bound in a Context, or unknown (then its callers are asked). */
interface Env {
  id: string;
  fn: FnLike | undefined;
}

interface Binding {
  expr: ts.Expression | undefined;
  env: Env;
}

type Context = ReadonlyMap<string, ReadonlyMap<string, Binding>>;

/** A parameter of `env` was needed and its callers are not known yet. */
class NeedCallers extends Error {
  constructor(readonly env: Env) {
    super('parameter of an unbound function');
  }
}

const MODULE_ENV: Env = { id: 'module', fn: undefined };
const MAX_VARIANTS = 64;
const MAX_DEPTH = 12;

const text = (parts: Part[], at: ts.Node): Value => ({ kind: 'text', parts, at });
const unresolved = (node: ts.Node): Value => ({ kind: 'unresolved', node });

function isFnLike(node: ts.Node): node is FnLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node)
  );
}

function enclosingFn(node: ts.Node): FnLike | undefined {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) if (isFnLike(at)) return at;
  return undefined;
}

function enclosingClass(node: ts.Node): ts.ClassDeclaration | undefined {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) if (ts.isClassDeclaration(at)) return at;
  return undefined;
}

/** Parentheses, `as`, `!`, `satisfies` and `await` do not change the value. */
function unwrap(expr: ts.Expression): ts.Expression {
  let at = expr;
  for (;;) {
    if (ts.isParenthesizedExpression(at) || ts.isAsExpression(at) || ts.isNonNullExpression(at)) at = at.expression;
    else if (ts.isSatisfiesExpression(at) || ts.isAwaitExpression(at)) at = at.expression;
    else return at;
  }
}

/** Collapses whitespace across the literal parts (a run-time part keeps its place). */
export function normaliseParts(parts: readonly Part[]): Part[] {
  const joined = parts.map((part) => (part === null ? '\u0000' : part)).join('');
  const collapsed = joined.replace(/\s+/g, ' ').trim();
  const out: Part[] = [];
  collapsed.split('\u0000').forEach((literal, index) => {
    if (index > 0) out.push(null);
    if (literal !== '') out.push(literal);
  });
  return out;
}

export const partsText = (parts: readonly Part[]): string => parts.map((p) => (p === null ? '<…>' : p)).join('');

// ---- The reader ----------------------------------------------------------------------------------------------------

export class MessageReader {
  readonly #modules: Map<string, Module>;
  /** Compiler file name → path relative to the root. */
  readonly #files: Map<string, string>;
  readonly #callers = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
  readonly #callStack: string[] = [];

  constructor(modules: Map<string, Module>) {
    this.#modules = modules;
    this.#files = new Map([...modules.values()].map((m) => [m.source.fileName, m.file]));
  }

  fileOf(node: ts.Node): string {
    const fileName = node.getSourceFile().fileName;
    return this.#files.get(fileName) ?? fileName;
  }

  where(node: ts.Node): string {
    const source = node.getSourceFile();
    return `${this.fileOf(node)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  }

  key(node: ts.Node): string {
    return `${this.fileOf(node)}@${node.pos}-${node.end}:${node.kind}`;
  }

  // -- names

  #module(node: ts.Node): Module | undefined {
    return this.#modules.get(this.fileOf(node));
  }

  /** A top-level declaration of `module`, following imports and re-exports. */
  resolveName(module: Module | undefined, name: string, depth = 0): ts.Node | undefined {
    if (!module || depth > MAX_DEPTH) return undefined;
    const local = module.decls.get(name);
    if (local) return local;
    const link = module.imports.get(name) ?? module.reexports.get(name);
    return link && this.resolveName(this.#modules.get(link.from), link.name, depth + 1);
  }

  /** The nearest declaration of an identifier: a parameter, a local, or a top-level (possibly imported) name. */
  lookup(id: ts.Identifier): ts.Node | undefined {
    const name = id.text;
    for (let at: ts.Node | undefined = id.parent; at; at = at.parent) {
      if (isFnLike(at)) {
        const parameter = at.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
        if (parameter) return parameter;
      }
      const statements = ts.isBlock(at) || ts.isSourceFile(at) ? at.statements : undefined;
      for (const statement of statements ?? []) {
        if (ts.isVariableStatement(statement)) {
          const found = statement.declarationList.declarations.find(
            (d) => ts.isIdentifier(d.name) && d.name.text === name,
          );
          if (found) return found;
        } else if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) {
          return statement;
        }
      }
    }
    return this.resolveName(this.#module(id), name);
  }

  #envFor(node: ts.Node, from: Env): Env {
    const fn = enclosingFn(node);
    if (fn === from.fn) return from;
    return fn ? { id: `${from.id}^${this.key(fn)}`, fn } : MODULE_ENV;
  }

  /** The function a call reaches: a declaration, an arrow or function assigned to a const, or `this.method`. */
  callee(call: ts.CallExpression | ts.NewExpression): FnLike | ts.ClassDeclaration | undefined {
    const target = call.expression;
    if (ts.isIdentifier(target)) {
      const decl = this.lookup(target);
      if (!decl) return undefined;
      if (ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl)) return decl;
      if (ts.isVariableDeclaration(decl) && decl.initializer) {
        const init = unwrap(decl.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
      return undefined;
    }
    if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const name = target.name.text;
      const method = enclosingClass(call)?.members.find(
        (m) => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === name,
      );
      return method && ts.isMethodDeclaration(method) ? method : undefined;
    }
    return undefined;
  }

  /** Every call of `fn` (or `new` of the class whose constructor it is), in every loaded module. */
  callersOf(fn: FnLike): (ts.CallExpression | ts.NewExpression)[] {
    const target = ts.isConstructorDeclaration(fn) ? fn.parent : fn;
    const wanted = this.key(target);
    const cached = this.#callers.get(wanted);
    if (cached) return cached;
    const found: (ts.CallExpression | ts.NewExpression)[] = [];
    for (const module of this.#modules.values()) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
          const callee = this.callee(node);
          if (callee && this.key(callee) === wanted) found.push(node);
        }
        node.forEachChild(visit);
      };
      visit(module.source);
    }
    this.#callers.set(wanted, found);
    return found;
  }

  // -- evaluation

  /** The message an expression evaluates to, in every variant the code allows. */
  evaluate(expr: ts.Expression, env: Env, ctx: Context, depth = 0): Value[] {
    if (depth > MAX_DEPTH) return [unresolved(expr)];
    const node = unwrap(expr);
    const next = (e: ts.Expression, en: Env = env, cx: Context = ctx) => this.evaluate(e, en, cx, depth + 1);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      return [node.text === '' ? { kind: 'none' } : text([node.text], node)];
    }
    if (ts.isTemplateExpression(node)) {
      // A message spliced from a bound argument is reported where that argument is written.
      let variants: { parts: Part[]; at: ts.Node }[] = [{ parts: [node.head.text], at: node }];
      for (const span of node.templateSpans) {
        const choices = this.#span(span.expression, env, ctx, depth);
        variants = variants.flatMap((v) =>
          choices.map((c) => ({ parts: [...v.parts, ...c.parts, span.literal.text], at: c.at ?? v.at })),
        );
        if (variants.length > MAX_VARIANTS) return [unresolved(node)];
      }
      return variants.map((v) => text(v.parts, v.at));
    }
    if (node.kind === ts.SyntaxKind.NullKeyword) return [{ kind: 'none' }];
    if (ts.isConditionalExpression(node)) return limit([...next(node.whenTrue), ...next(node.whenFalse)], node);
    if (ts.isBinaryExpression(node)) return this.#binary(node, next);
    if (ts.isIdentifier(node)) return this.#identifier(node, env, ctx, depth);
    if (ts.isPropertyAccessExpression(node)) return this.#property(node, env, ctx, depth);
    if (ts.isCallExpression(node)) return this.#call(node, env, ctx, depth);
    return [unresolved(node)];
  }

  /**
   * A `${…}` part: a constant, or a parameter whose argument is known here (a constructor's `reason`, bound at the
   * `new`), read in full; anything else is a run-time part.
   */
  #span(expr: ts.Expression, env: Env, ctx: Context, depth: number): { parts: Part[]; at?: ts.Node }[] {
    const node = unwrap(expr);
    const decl = ts.isIdentifier(node) ? this.lookup(node) : undefined;
    const bound =
      decl && ts.isParameterDeclaration(decl) && decl.parent === env.fn
        ? ctx.get(env.id)?.get(node.getText())
        : undefined;
    if (bound?.expr) {
      try {
        const values = this.evaluate(bound.expr, bound.env, ctx, depth + 1);
        const texts = values.flatMap((v) => (v.kind === 'text' ? [{ parts: v.parts, at: v.at }] : []));
        if (texts.length === values.length) return texts;
      } catch (error) {
        if (!(error instanceof NeedCallers)) throw error;
      }
      return [{ parts: [null] }];
    }
    return [{ parts: [this.constant(node, env)] }];
  }

  #binary(node: ts.BinaryExpression, next: (e: ts.Expression) => Value[]): Value[] {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
      return limit([...next(node.left), ...next(node.right)], node);
    }
    if (op !== ts.SyntaxKind.PlusToken) return [unresolved(node)];
    const out: Value[] = [];
    for (const left of next(node.left)) {
      for (const right of next(node.right)) {
        if (left.kind !== 'text') out.push(left.kind === 'none' ? right : left);
        else if (right.kind !== 'text') out.push(right.kind === 'none' ? left : right);
        else out.push(text([...left.parts, ...right.parts], left.at));
      }
    }
    return limit(out, node);
  }

  #identifier(node: ts.Identifier, env: Env, ctx: Context, depth: number): Value[] {
    if (node.text === 'undefined') return [{ kind: 'none' }];
    const decl = this.lookup(node);
    if (decl && ts.isParameterDeclaration(decl)) return this.#parameter(node, decl, env, ctx, depth);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) {
      const isConst = (decl.parent.flags & ts.NodeFlags.Const) !== 0;
      if (!isConst) return [unresolved(node)];
      return this.evaluate(decl.initializer, this.#envFor(decl, env), ctx, depth + 1);
    }
    return [unresolved(node)];
  }

  #parameter(node: ts.Identifier, decl: ts.ParameterDeclaration, env: Env, ctx: Context, depth: number): Value[] {
    const fn = decl.parent;
    if (!isFnLike(fn) || fn !== env.fn) return [unresolved(node)];
    const bindings = ctx.get(env.id);
    if (!bindings) throw new NeedCallers(env);
    const bound = bindings.get(node.text);
    if (!bound?.expr) {
      return decl.initializer ? this.evaluate(decl.initializer, env, ctx, depth + 1) : [{ kind: 'none' }];
    }
    return this.evaluate(bound.expr, bound.env, ctx, depth + 1);
  }

  /** `<object literal constant>.name`; `<error>.message` forwards another error's message. */
  #property(node: ts.PropertyAccessExpression, env: Env, ctx: Context, depth: number): Value[] {
    if (node.name.text === 'message') return [{ kind: 'forwarded' }];
    const found = this.#objectProperty(node);
    return found ? this.evaluate(found.expr, this.#envFor(found.expr, env), ctx, depth + 1) : [unresolved(node)];
  }

  /** The initializer of `A.b` when `A` is a const object literal (`as const`, `Object.freeze` allowed). */
  #objectProperty(node: ts.PropertyAccessExpression): { expr: ts.Expression } | undefined {
    const owner = unwrap(node.expression);
    if (!ts.isIdentifier(owner)) return undefined;
    const decl = this.lookup(owner);
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    let init = unwrap(decl.initializer);
    if (ts.isCallExpression(init) && init.expression.getText() === 'Object.freeze' && init.arguments[0]) {
      init = unwrap(init.arguments[0]);
    }
    if (!ts.isObjectLiteralExpression(init)) return undefined;
    const name = node.name.text;
    for (const property of init.properties) {
      if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name) {
        return { expr: property.initializer };
      }
    }
    return undefined;
  }

  #call(node: ts.CallExpression, env: Env, ctx: Context, depth: number): Value[] {
    const target = node.expression;
    if (ts.isPropertyAccessExpression(target) && target.name.text === 'trim' && node.arguments.length === 0) {
      return this.evaluate(target.expression, env, ctx, depth + 1).map((v) =>
        v.kind === 'text' ? text(normaliseParts(v.parts), v.at) : v,
      );
    }
    const fn = this.callee(node);
    if (!fn || ts.isClassDeclaration(fn) || !fn.body) return [unresolved(node)];
    const fnKey = this.key(fn);
    if (this.#callStack.includes(fnKey)) return [unresolved(node)];
    const callEnv: Env = { id: `${env.id}>${this.key(node)}`, fn };
    const inner = new Map(ctx).set(callEnv.id, this.bind(fn, node.arguments, env));
    this.#callStack.push(fnKey);
    try {
      const values = returnedExpressions(fn).flatMap((e) => this.evaluate(e, callEnv, inner, depth + 1));
      // A function that returns a principal or a message: its non-string returns are plain names, dropped here.
      const kept = values.filter(
        (v) =>
          v.kind !== 'none' &&
          !(v.kind === 'unresolved' && (ts.isIdentifier(v.node) || ts.isPropertyAccessExpression(v.node))),
      );
      return kept.length > 0 ? limit(kept, node) : [unresolved(node)];
    } finally {
      this.#callStack.pop();
    }
  }

  bind(fn: FnLike, args: readonly ts.Expression[] | undefined, env: Env): Map<string, Binding> {
    const bindings = new Map<string, Binding>();
    fn.parameters.forEach((parameter, index) => {
      if (ts.isIdentifier(parameter.name)) bindings.set(parameter.name.text, { expr: args?.[index], env });
    });
    return bindings;
  }

  /** A template part: constants (strings and numbers, also imported or in const objects) read; all else run-time. */
  constant(expr: ts.Expression, env: Env, depth = 0): Part {
    if (depth > MAX_DEPTH) return null;
    const node = unwrap(expr);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isNumericLiteral(node)) return String(Number(node.text.replace(/_/g, '')));
    let init: ts.Expression | undefined;
    if (ts.isIdentifier(node)) {
      const decl = this.lookup(node);
      const isConst = decl && ts.isVariableDeclaration(decl) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
      if (isConst && ts.isVariableDeclaration(decl)) init = decl.initializer;
    } else if (ts.isPropertyAccessExpression(node)) {
      init = this.#objectProperty(node)?.expr;
    }
    return init ? this.constant(init, env, depth + 1) : null;
  }

  /** A constant argument (status, type): literals, constants, and parameters followed to their callers. */
  attribute(expr: ts.Expression | undefined, env: Env, ctx: Context, depth = 0): string | undefined {
    if (!expr || depth > MAX_DEPTH) return undefined;
    const node = unwrap(expr);
    if (ts.isIdentifier(node)) {
      const decl = this.lookup(node);
      if (decl && ts.isParameterDeclaration(decl) && decl.parent === env.fn && env.fn) {
        const bindings = ctx.get(env.id);
        if (!bindings) throw new NeedCallers(env);
        const bound = bindings.get(node.text);
        return bound ? this.attribute(bound.expr, bound.env, ctx, depth + 1) : undefined;
      }
    }
    return this.constant(node, env) ?? undefined;
  }
}

function limit(values: Value[], at: ts.Node): Value[] {
  return values.length > MAX_VARIANTS ? [unresolved(at)] : values;
}

/** The expressions `fn` returns (an arrow's expression body, or each `return` not inside a nested function). */
function returnedExpressions(fn: FnLike): ts.Expression[] {
  const body = fn.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node)) {
      if (node.expression) found.push(node.expression);
      return;
    }
    if (isFnLike(node) || ts.isClassDeclaration(node)) return;
    node.forEachChild(visit);
  };
  body.forEachChild(visit);
  return found;
}

// ---- Seeds ---------------------------------------------------------------------------------------------------------

interface Seed {
  site: ts.CallExpression | ts.NewExpression;
  source: string;
  /** Evaluates the message and attributes of the seed under `ctx`. */
  read(ctx: Context): { values: Value[]; attrs: Record<string, string> };
}

/** A function's name: its own, or the const it is assigned to. */
function fnName(fn: FnLike): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) {
    return fn.name.text;
  }
  const holder = fn.parent;
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : undefined;
}

function extendsClause(decl: ts.ClassDeclaration): ts.Expression | undefined {
  const clause = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  return clause?.types[0]?.expression;
}

function superCall(ctor: ts.ConstructorDeclaration): ts.CallExpression | undefined {
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found || isFnLike(node)) return;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) found = node;
    else node.forEachChild(visit);
  };
  ctor.body?.forEachChild(visit);
  return found;
}

export function readCatalogue(
  modules: Map<string, Module>,
  options: SeedOptions,
  pushed: readonly PushedMessages[] = [],
): Catalogue {
  const reader = new MessageReader(modules);
  const classes = errorClasses(reader, modules, options);
  const seeds: Seed[] = [];

  for (const module of modules.values()) {
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
        const callee = reader.callee(node);
        if (callee && ts.isClassDeclaration(callee)) {
          if (ts.isNewExpression(node) && classes.has(callee)) seeds.push(classSeed(reader, node, callee, options));
        } else if (callee && ts.isCallExpression(node)) {
          const name = fnName(callee);
          if (name !== undefined && options.bodyBuilders[name] !== undefined) {
            seeds.push(builderSeed(reader, node, name, options));
          }
        }
      }
      node.forEachChild(visit);
    };
    visit(module.source);
  }

  const catalogue: Catalogue = { messages: [], forwarded: [], unresolved: [] };
  for (const seed of seeds) expandSeed(reader, seed, catalogue);
  for (const source of pushed) collectPushed(reader, modules, source, catalogue);
  return catalogue;
}

/**
 * Error classes that reach the wire: `extends Error` classes in the wire directories, the named ones, and every class
 * that extends one of those (a service's `class XError extends DomainError` is rendered like a DomainError).
 */
function errorClasses(
  reader: MessageReader,
  modules: Map<string, Module>,
  options: SeedOptions,
): Set<ts.ClassDeclaration> {
  const isWire = (decl: ts.ClassDeclaration, file: string): boolean =>
    options.wireClassDirs.some((dir) => file.startsWith(dir)) || options.wireClasses.includes(decl.name?.text ?? '');
  /** Whether the class extends Error, and whether it or a class it extends is a wire class. */
  const classify = (decl: ts.ClassDeclaration, depth = 0): { error: boolean; wire: boolean } => {
    const base = extendsClause(decl);
    const own = isWire(decl, reader.fileOf(decl));
    if (!base || !ts.isIdentifier(base) || depth > MAX_DEPTH) return { error: false, wire: false };
    if (base.text === 'Error') return { error: true, wire: own };
    const next = reader.lookup(base);
    if (!next || !ts.isClassDeclaration(next)) return { error: false, wire: false };
    const inherited = classify(next, depth + 1);
    return { error: inherited.error, wire: inherited.error && (own || inherited.wire) };
  };
  const all = new Set<ts.ClassDeclaration>();
  for (const module of modules.values()) {
    for (const decl of module.decls.values()) {
      if (ts.isClassDeclaration(decl) && classify(decl).wire) all.add(decl);
    }
  }
  return all;
}

/** `new C(args)`: the message is what the constructor passes up to Error, read with its parameters bound. */
function classSeed(reader: MessageReader, site: ts.NewExpression, decl: ts.ClassDeclaration, options: SeedOptions) {
  const source = decl.name?.text ?? 'class';
  const attrIndexes = options.attrs[source] ?? {};
  return {
    site,
    source,
    read(ctx: Context) {
      const env: Env = { id: `seed:${reader.key(site)}`, fn: enclosingFn(site) };
      const values = messageOfNew(reader, decl, site.arguments ?? [], env, ctx, `${env.id}>new`);
      const attrs: Record<string, string> = {};
      for (const [name, index] of Object.entries(attrIndexes)) {
        const value = reader.attribute(site.arguments?.[index], env, ctx);
        if (value !== undefined) attrs[name] = value;
      }
      return { values, attrs };
    },
  };
}

function messageOfNew(
  reader: MessageReader,
  decl: ts.ClassDeclaration,
  args: readonly ts.Expression[],
  env: Env,
  ctx: Context,
  id: string,
  depth = 0,
): Value[] {
  const ctor = decl.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  const base = extendsClause(decl);
  const baseDecl = base && ts.isIdentifier(base) && base.text !== 'Error' ? reader.lookup(base) : undefined;
  if (!ctor) {
    if (baseDecl && ts.isClassDeclaration(baseDecl) && depth < MAX_DEPTH) {
      return messageOfNew(reader, baseDecl, args, env, ctx, id, depth + 1);
    }
    return args[0] ? reader.evaluate(args[0], env, ctx) : [{ kind: 'none' }];
  }
  const call = superCall(ctor);
  if (!call) return [unresolved(ctor)];
  const ctorEnv: Env = { id: `${id}>${reader.key(ctor)}`, fn: ctor };
  const inner = new Map(ctx).set(ctorEnv.id, reader.bind(ctor, args, env));
  if (baseDecl && ts.isClassDeclaration(baseDecl) && depth < MAX_DEPTH) {
    return messageOfNew(reader, baseDecl, call.arguments, ctorEnv, inner, ctorEnv.id, depth + 1);
  }
  return call.arguments[0] ? reader.evaluate(call.arguments[0], ctorEnv, inner) : [{ kind: 'none' }];
}

function builderSeed(reader: MessageReader, site: ts.CallExpression, name: string, options: SeedOptions): Seed {
  const messageIndex = options.bodyBuilders[name] ?? 0;
  const attrIndexes = options.attrs[name] ?? {};
  return {
    site,
    source: name,
    read(ctx: Context) {
      const env: Env = { id: `seed:${reader.key(site)}`, fn: enclosingFn(site) };
      const message = site.arguments[messageIndex];
      const values = message ? reader.evaluate(message, env, ctx) : [unresolved(site)];
      const attrs: Record<string, string> = {};
      for (const [attr, index] of Object.entries(attrIndexes)) {
        const value = reader.attribute(site.arguments[index], env, ctx);
        if (value !== undefined) attrs[attr] = value;
      }
      return { values, attrs };
    },
  };
}

/** Reads a seed under every binding its parameters get from their callers (helpers of helpers included). */
function expandSeed(reader: MessageReader, seed: Seed, catalogue: Catalogue): void {
  const queue: Context[] = [new Map()];
  for (let steps = 0; queue.length > 0; steps++) {
    const ctx = queue.shift() as Context;
    if (steps > 500) {
      catalogue.unresolved.push(unresolvedOf(reader, seed.site, seed.source, {}));
      return;
    }
    let read: { values: Value[]; attrs: Record<string, string> };
    try {
      read = seed.read(ctx);
    } catch (error) {
      if (!(error instanceof NeedCallers)) throw error;
      const { env } = error;
      const callers = env.fn ? reader.callersOf(env.fn) : [];
      if (callers.length === 0) catalogue.unresolved.push(unresolvedOf(reader, seed.site, seed.source, {}));
      for (const call of callers) {
        const callerEnv: Env = { id: `${env.id}<${reader.key(call)}`, fn: enclosingFn(call) };
        const fn = env.fn as FnLike;
        queue.push(new Map(ctx).set(env.id, reader.bind(fn, call.arguments, callerEnv)));
      }
      continue;
    }
    record(reader, read.values, seed.source, read.attrs, catalogue);
  }
}

function record(
  reader: MessageReader,
  values: Value[],
  source: string,
  attrs: Record<string, string>,
  catalogue: Catalogue,
): void {
  for (const value of values) {
    if (value.kind === 'forwarded') catalogue.forwarded.push(source);
    else if (value.kind === 'unresolved') catalogue.unresolved.push(unresolvedOf(reader, value.node, source, attrs));
    else if (value.kind === 'text') {
      const parts = normaliseParts(value.parts);
      catalogue.messages.push({ parts, text: partsText(parts), source, attrs, at: reader.where(value.at) });
    }
  }
}

function unresolvedOf(reader: MessageReader, node: ts.Node, source: string, attrs: Record<string, string>) {
  return {
    at: reader.where(node),
    file: reader.fileOf(node),
    expression: node.getText().replace(/\s+/g, ' '),
    source,
    attrs,
  };
}

/** `<array>.push(message)` in one file: messages gathered in a list and joined into one error later. */
function collectPushed(
  reader: MessageReader,
  modules: Map<string, Module>,
  source: PushedMessages,
  catalogue: Catalogue,
): void {
  const module = modules.get(source.file);
  if (!module) throw new Error(`${source.file} is not loaded`);
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'push' &&
      node.expression.expression.getText() === source.array
    ) {
      for (const arg of node.arguments) {
        const env: Env = { id: `push:${reader.key(node)}`, fn: enclosingFn(node) };
        record(reader, reader.evaluate(arg, env, new Map()), `${source.file} ${source.array}`, {}, catalogue);
      }
    }
    node.forEachChild(visit);
  };
  visit(module.source);
}
