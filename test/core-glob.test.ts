// The wildcard matcher behind OData `eq '*…'` and the session query's enum patterns (src/core/glob.ts): whole-string
// matches, `*` and `?`, case folding, and patterns that make backtracking regular expressions explode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GlobPart, matchesGlob, starPattern } from '../src/core/glob.js';

const STAR = { wildcard: '*' } as const;
const ONE = { wildcard: '?' } as const;
const star = (pattern: string, text: string) => matchesGlob(starPattern(pattern), text);

describe('glob matcher', () => {
  it('matches the whole text, literals exactly', () => {
    assert.equal(star('abc', 'abc'), true);
    assert.equal(star('abc', 'abcd'), false);
    assert.equal(star('abc', 'ab'), false);
    assert.equal(star('', ''), true);
    assert.equal(star('', 'a'), false);
  });

  it('lets * match any run, the empty one included, anywhere in the pattern', () => {
    assert.equal(star('*', ''), true);
    assert.equal(star('*', 'anything'), true);
    assert.equal(star('a*', 'a'), true);
    assert.equal(star('*a', 'ba'), true);
    assert.equal(star('*a', 'ab'), false);
    assert.equal(star('a*b*c', 'aXXbYYc'), true);
    assert.equal(star('a*b*c', 'abc'), true);
    assert.equal(star('a*b*c', 'acb'), false);
    assert.equal(star('10.255.4.*', '10.255.4.124'), true);
    assert.equal(star('10.255.4.*', '10x255x4x1'), false);
  });

  it('backtracks to the last * when a literal run fails part-way', () => {
    assert.equal(star('*aab', 'aaab'), true);
    assert.equal(star('*ab*ab', 'abxabyab'), true);
    assert.equal(star('*abc*abd', 'abcabcabd'), true);
    assert.equal(star('a*aa', 'aa'), false);
    assert.equal(star('*a*a*a', 'aa'), false);
    assert.equal(star('**a**', 'a'), true);
    assert.equal(star('*x*', 'aaaa'), false);
  });

  it('treats regular-expression syntax as literal text', () => {
    assert.equal(star('a.c', 'abc'), false);
    assert.equal(star('(a|b)*', '(a|b)c'), true);
    assert.equal(star('[a]+', 'a'), false);
    assert.equal(star('^$\\', '^$\\'), true);
  });

  it('matches ? to exactly one character, astral ones included', () => {
    const parts: GlobPart[] = ['a', ONE, 'c'];
    assert.equal(matchesGlob(parts, 'abc'), true);
    assert.equal(matchesGlob(parts, 'ac'), false);
    assert.equal(matchesGlob(parts, 'a😀c'), true);
    assert.equal(matchesGlob([ONE, STAR, ONE], 'x'), false);
    assert.equal(matchesGlob([ONE, STAR, ONE], 'xy'), true);
    assert.equal(matchesGlob([STAR, 'b', ONE], 'abbc'), true);
  });

  it('folds case when asked to', () => {
    assert.equal(matchesGlob(['TERM', STAR], 'terminated'), false);
    assert.equal(matchesGlob(['TERM', STAR], 'terminated', { ignoreCase: true }), true);
  });

  it('answers patterns that are exponential for a backtracking regex at once', () => {
    const started = performance.now();
    assert.equal(star('******Z', 'https://localhost/mgmt/shared/authz/tokens/'.repeat(20)), false);
    assert.equal(star(`${'*a'.repeat(200)}*b`, 'a'.repeat(5000)), false);
    assert.equal(star(`${'*a'.repeat(200)}*`, 'a'.repeat(5000)), true);
    assert.equal(matchesGlob([...Array(1000).fill(STAR), 'x'], 'terminated', { ignoreCase: true }), false);
    // A sanity guard only: the regexes this replaced took minutes on the first two.
    assert.ok(performance.now() - started < 1000);
  });
});
