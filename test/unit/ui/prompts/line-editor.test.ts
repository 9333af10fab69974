import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyKey,
  draftOf,
  EMPTY_DRAFT,
  nextBoundary,
  previousBoundary,
  submit,
  type DraftState,
  type EditorContext,
  type Key,
} from '../../../../src/ui/prompts/line-editor.js';

const CONTEXT: EditorContext = { history: [], now: 10_000, quitWindowMs: 3000 };
const k = (name: string, extra: Partial<Key> = {}): Key => ({ name, sequence: '', ctrl: false, meta: false, shift: false, ...extra });
const ch = (sequence: string): Key => ({ name: sequence.toLowerCase(), sequence, ctrl: false, meta: false, shift: false });
const ctrl = (name: string): Key => k(name, { ctrl: true });

/** Apply keys in order; returns the final state and every outcome seen. */
function run(keys: readonly Key[], start: DraftState = EMPTY_DRAFT, context: EditorContext = CONTEXT) {
  let state = start;
  const outcomes = [];
  for (const key of keys) {
    const result = applyKey(state, key, context);
    state = result.state;
    if (result.outcome) outcomes.push(result.outcome);
  }
  return { state, outcomes };
}
const typed = (text: string): Key[] => [...text].map(ch);

describe('line editor: typing and moving', () => {
  it('inserts at the cursor and moves by whole graphemes', () => {
    const family = '👨‍👩‍👧';
    const { state } = run([...typed(`a${family}e\u0301b`), k('left'), k('left'), k('backspace'), ch('X')]);
    // ← twice passed b and é (e + combining accent) as one each; Backspace took the family whole.
    assert.equal(state.text, 'aXe\u0301b');
    assert.equal(state.cursor, 2);
    assert.equal(nextBoundary(family, 0), family.length);
    assert.equal(previousBoundary(`x${family}`, 1 + family.length), 1);
  });

  it('has the usual line keys: Home/End, Ctrl+A/E/U/K/W, Delete, word moves', () => {
    const start = draftOf('one two three');
    assert.equal(run([ctrl('a')], start).state.cursor, 0);
    assert.equal(run([k('home'), k('end')], start).state.cursor, 13);
    assert.equal(run([ctrl('w')], start).state.text, 'one two ');
    assert.equal(run([ctrl('left'), ctrl('left'), ctrl('u')], start).state.text, 'two three');
    assert.equal(run([ctrl('a'), ctrl('k')], start).state.text, '');
    assert.equal(run([k('home'), k('delete')], start).state.text, 'ne two three');
    assert.equal(run([k('b', { meta: true })], start).state.cursor, 8);
    assert.equal(run([k('home'), k('f', { meta: true })], start).state.cursor, 3);
  });

  it('ignores keys it has no use for, and control characters never become text', () => {
    const start = draftOf('hi');
    for (const key of [k('f5'), k('tab'), ctrl('l'), k('x', { meta: true }), { name: 'undefined', sequence: '\x1b[12;34' }, ch('\x07')]) {
      assert.equal(run([key], start).state.text, 'hi', JSON.stringify(key));
    }
  });
});

describe('line editor: Enter', () => {
  it('sends every non-blank line, or returns a /command, or does nothing when blank', () => {
    assert.deepEqual(submit('hello there'), { type: 'send', lines: ['hello there'] });
    assert.deepEqual(submit('a\n\n  \nb\r\nc'), { type: 'send', lines: ['a', 'b', 'c'] });
    assert.deepEqual(submit('  /to bob '), { type: 'command', line: '/to bob' });
    assert.deepEqual(submit('//shrug'), { type: 'send', lines: ['/shrug'] });
    // A paste of several lines is text, even if the first starts with a slash.
    assert.deepEqual(submit('/etc/hosts\nis here'), { type: 'send', lines: ['/etc/hosts', 'is here'] });
    assert.equal(submit('   \n '), undefined);
    assert.deepEqual(run([ch(' '), k('return')]).outcomes, []);
    assert.deepEqual(run([...typed('hi'), k('return')]).outcomes, [{ type: 'send', lines: ['hi'] }]);
  });
});

describe('line editor: Ctrl+C, Ctrl+D, Esc', () => {
  it('Ctrl+C clears a draft; at an empty prompt it arms, and a second within the window quits', () => {
    const cleared = run([ctrl('c')], draftOf('draft'));
    assert.deepEqual(cleared.outcomes, []);
    assert.equal(cleared.state.text, '');
    const first = applyKey(EMPTY_DRAFT, ctrl('c'), CONTEXT);
    assert.equal(first.outcome?.type, 'arm-quit');
    assert.equal(first.state.armedAt, 10_000);
    const second = applyKey(first.state, ctrl('c'), { ...CONTEXT, now: 12_999 });
    assert.deepEqual(second.outcome, { type: 'quit', key: 'ctrl-c' });
    // Too late: arms again instead.
    const late = applyKey(first.state, ctrl('c'), { ...CONTEXT, now: 13_001 });
    assert.equal(late.outcome?.type, 'arm-quit');
    // Any other key in between disarms.
    const typedBetween = run([ch('x'), k('backspace'), ctrl('c')], first.state, { ...CONTEXT, now: 11_000 });
    assert.equal(typedBetween.outcomes[0]?.type, 'arm-quit');
  });

  it('Ctrl+D quits only at an empty prompt, else deletes under the cursor', () => {
    assert.deepEqual(applyKey(EMPTY_DRAFT, ctrl('d'), CONTEXT).outcome, { type: 'quit', key: 'ctrl-d' });
    const inDraft = run([k('home'), ctrl('d')], draftOf('abc'));
    assert.deepEqual(inDraft.outcomes, []);
    assert.equal(inDraft.state.text, 'bc');
  });

  it('Esc keeps a draft; Esc again on it, unchanged, discards it; an edit in between keeps it again', () => {
    const first = applyKey(draftOf('later'), k('escape', { meta: true }), CONTEXT);
    assert.equal(first.outcome?.type, 'back');
    const kept = first.outcome?.type === 'back' ? first.outcome.draft : undefined;
    assert.equal(kept?.text, 'later');
    assert.equal(kept?.kept, true);
    // Moving the cursor is not a change.
    const moved = run([k('left')], kept);
    assert.deepEqual(applyKey(moved.state, k('escape'), CONTEXT).outcome, { type: 'back', draft: undefined, discarded: 'later' });
    const edited = run([ch('!'), k('escape')], kept);
    assert.equal(edited.outcomes[0]?.type === 'back' && edited.outcomes[0].draft?.text, 'later!');
    assert.deepEqual(applyKey(EMPTY_DRAFT, k('escape'), CONTEXT).outcome, { type: 'back', draft: undefined });
  });
});

describe('line editor: history', () => {
  const context = { ...CONTEXT, history: ['one', 'two', 'three'] };
  it('Up shows the newest first and stops at the oldest; Down past the newest brings the draft back', () => {
    let { state } = run([...typed('my dra'), ch('f'), ch('t'), k('left')], EMPTY_DRAFT, context);
    const draftCursor = state.cursor;
    state = run([k('up')], state, context).state;
    assert.equal(state.text, 'three');
    state = run([k('up'), k('up'), k('up')], state, context).state;
    assert.equal(state.text, 'one');
    state = run([k('down')], state, context).state;
    assert.equal(state.text, 'two');
    state = run([k('down'), k('down')], state, context).state;
    assert.deepEqual([state.text, state.cursor, state.browsing], ['my draft', draftCursor, undefined]);
    assert.equal(run([k('down')], state, context).state.text, 'my draft');
  });

  it('editing a recalled line makes it the draft', () => {
    const { state } = run([k('up'), ch('!'), k('down')], draftOf('mine'), context);
    assert.equal(state.text, 'three!');
  });

  it('does nothing without history', () => {
    assert.equal(run([k('up')], draftOf('x')).state.text, 'x');
  });
});

describe('line editor: bracketed paste', () => {
  it('takes a multi-line paste as one draft: CR, LF and CRLF are one line break each, controls dropped', () => {
    const keys = [k('paste-start'), ...typed('a'), k('return'), k('enter'), ...typed('b'), k('return'), ...typed('c'), k('enter'), ...typed('d'), k('tab'), ch('\x1b'), ctrl('c'), k('escape'), k('paste-end')];
    const { state, outcomes } = run(keys);
    assert.deepEqual(outcomes, []);
    assert.equal(state.text, 'a\nb\nc\nd\t');
    assert.equal(state.pasting, false);
    assert.deepEqual(submit(state.text), { type: 'send', lines: ['a', 'b', 'c', 'd\t'] });
  });

  it('a paste that spans a re-open goes on where it was', () => {
    const half = run([k('paste-start'), ...typed('one'), k('return')]).state;
    assert.equal(half.pasting, true);
    const reopened: DraftState = JSON.parse(JSON.stringify(half)) as DraftState;
    const { state } = run([...typed('two'), k('paste-end'), k('return')], reopened);
    assert.equal(state.text, 'one\ntwo');
  });
});
