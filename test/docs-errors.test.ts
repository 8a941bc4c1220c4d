// docs/errors.md lists every error message the two HTTP surfaces send. This test reads the messages from the source
// (test/support/error-catalogue.ts: error classes, error-body builders and the helpers around them, through the
// TypeScript AST) and checks both directions:
// - every message the code can send appears in a message table of docs/errors.md, with the status, SPS type and
//   domain code/kind the code sends it with;
// - every message in those tables can still be sent.
// A message table is a Markdown table with a `Message` column. Each `code span` in that column is one message; a
// `<placeholder>` stands for a part computed at run time (`${…}` in the code).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import {
  type Catalogue,
  type CodeMessage,
  loadModules,
  type PushedMessages,
  readCatalogue,
  type SeedOptions,
} from './support/error-catalogue.js';

const ROOT = process.cwd();
const DOC = 'docs/errors.md';

const SEEDS: SeedOptions = {
  // Every error class under src/http reaches a client (BigiqError, SpsError, and the parsers' own errors, whose
  // messages the surfaces forward); the domain and query-language errors are rendered by both surfaces.
  wireClassDirs: ['src/http/'],
  wireClasses: ['DomainError', 'SessionQueryError'],
  attrs: {
    BigiqError: { status: 0 },
    SpsError: { status: 0, type: 1 },
    DomainError: { kind: 0, code: 1 },
    bigiqErrorBody: { status: 0 },
  },
  // `sendBigiqError(reply, status, message)` and the routes that call it are found through this one.
  bodyBuilders: { bigiqErrorBody: 1 },
};

/**
 * Message arguments the reader cannot follow, and where their messages are gathered instead. A new entry needs a
 * reason; prefer a literal, a constant or a helper with a message parameter, which the reader follows by itself.
 */
const GATHERED: readonly { file: string; expression: string; messages: PushedMessages; why: string }[] = [
  {
    file: 'src/engine/config/transactions.ts',
    expression: "errors.join(' ')",
    messages: { file: 'src/engine/config/config-state.ts', array: 'errors' },
    why: 'integrity problems of a configuration, one sentence each, sent joined as one SemanticError',
  },
];

interface DocMessage {
  message: string;
  line: number;
  /** Lower-cased column name → cell text, for the row the message is in. */
  row: Map<string, string>;
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The code spans of a table cell (GFM: `\|` is a pipe; one space on each side of the content is dropped). */
function codeSpans(cell: string): string[] {
  return [...cell.replace(/\\\|/g, '|').matchAll(/(`+)([\s\S]+?)\1/g)].map((match) => {
    const content = match[2] ?? '';
    return content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '' ? content.slice(1, -1) : content;
  });
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Every message of every table with a `Message` column. */
function docMessages(markdown: string): DocMessage[] {
  const lines = markdown.split('\n');
  const found: DocMessage[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i] ?? '';
    if (!header.trimStart().startsWith('|') || !/^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) continue;
    const columns = splitRow(header).map((cell) => cell.toLowerCase());
    const messageColumn = columns.indexOf('message');
    i += 2;
    for (; i < lines.length && (lines[i] ?? '').trimStart().startsWith('|'); i++) {
      if (messageColumn < 0) continue;
      const cells = splitRow(lines[i] ?? '');
      const row = new Map(columns.map((name, index) => [name, cells[index] ?? '']));
      for (const message of codeSpans(cells[messageColumn] ?? '')) found.push({ message, line: i + 1, row });
    }
  }
  return found;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The code message as a pattern: literal parts verbatim, each run-time part any text (a doc `<placeholder>`). */
const patternOf = (message: CodeMessage): RegExp =>
  new RegExp(`^${message.parts.map((part) => (part === null ? '.*' : escapeRegExp(part))).join('')}$`, 's');

const documents = (doc: DocMessage, message: CodeMessage): boolean => patternOf(message).test(collapse(doc.message));

/** Each attribute the code sends with the message is in the row's column of that name, when the table has one. */
function attrsAgree(doc: DocMessage, message: CodeMessage): boolean {
  return Object.entries(message.attrs).every(([name, value]) => {
    const cell = doc.row.get(name);
    return cell === undefined || cell.split(/[^\w]+/).includes(value);
  });
}

describe('docs/errors.md', () => {
  let catalogue: Catalogue;
  let documented: DocMessage[];
  /** One entry per distinct message, status and type. */
  let messages: CodeMessage[];

  before(() => {
    const modules = loadModules(ROOT, ['src']);
    catalogue = readCatalogue(
      modules,
      SEEDS,
      GATHERED.map((g) => g.messages),
    );
    const seen = new Set<string>();
    messages = catalogue.messages.filter((m) => {
      const key = `${m.text}|${JSON.stringify(m.attrs)}`;
      return !seen.has(key) && Boolean(seen.add(key));
    });
    documented = docMessages(readFileSync(DOC, 'utf8'));
  });

  it('reads the messages of both surfaces from the source', () => {
    const texts = new Set(messages.map((m) => m.text));
    for (const known of [
      'Public URI path not registered',
      'action is missing.',
      'No session id is given in the id query parameter.',
      'The admin user cannot be deleted: it always exists and has every privilege.',
      'unterminated quoted value at position <…>',
    ]) {
      assert.ok(texts.has(known), `the reader no longer finds "${known}": test/support/error-catalogue.ts is broken`);
    }
    assert.ok(messages.length > 100, `only ${messages.length} messages read`);
    assert.ok(documented.length > 100, `only ${documented.length} messages found in the tables of ${DOC}`);
  });

  it('can read every message argument (or knows where its messages come from)', () => {
    const unknown = catalogue.unresolved.filter(
      (u) => !GATHERED.some((g) => g.file === u.file && g.expression === u.expression),
    );
    assert.deepEqual(
      unknown.map((u) => `${u.at} (${u.source}): ${u.expression}`),
      [],
      'error messages the reader cannot follow: use a literal, a constant or a helper with a message parameter',
    );
    const stale = GATHERED.filter(
      (g) => !catalogue.unresolved.some((u) => u.file === g.file && u.expression === g.expression),
    );
    assert.deepEqual(
      stale.map((g) => g.expression),
      [],
      'GATHERED entries that no longer occur in the code',
    );
  });

  it('documents every message the code sends, with its status and type', () => {
    const missing: string[] = [];
    const disagreeing: string[] = [];
    for (const message of messages) {
      const rows = documented.filter((doc) => documents(doc, message));
      const attrs = Object.entries(message.attrs)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ');
      const label = `${message.at} (${message.source}${attrs ? `, ${attrs}` : ''}): ${message.text}`;
      if (rows.length === 0) missing.push(label);
      else if (!rows.some((doc) => attrsAgree(doc, message))) {
        disagreeing.push(`${label} — ${DOC} lines ${rows.map((r) => r.line).join(', ')}`);
      }
    }
    assert.deepEqual(
      { missing, disagreeing },
      { missing: [], disagreeing: [] },
      `missing: add these messages to a table of ${DOC} with a Message column; disagreeing: their status, type, ` +
        'code or kind there differs from the code',
    );
  });

  it('lists no message the code no longer sends', () => {
    const stale = documented.filter((doc) => !messages.some((message) => documents(doc, message)));
    assert.deepEqual(
      stale.map((doc) => `${DOC}:${doc.line}: ${doc.message}`),
      [],
      'documented messages that no error in the code produces',
    );
  });
});
