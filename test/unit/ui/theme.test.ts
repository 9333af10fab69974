import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourWanted, createTheme, nameColourIndex } from '../../../src/ui/theme.js';

describe('theme', () => {
  it('colours only a terminal, and never with NO_COLOR set', () => {
    assert.equal(colourWanted({}, true), true);
    assert.equal(colourWanted({}, false), false);
    assert.equal(colourWanted({ NO_COLOR: '1' }, true), false);
    // no-color.org: an empty NO_COLOR does not count.
    assert.equal(colourWanted({ NO_COLOR: '' }, true), true);
    assert.equal(createTheme({ env: { NO_COLOR: '1' }, isTTY: true }).error('x'), 'x');
    assert.equal(createTheme({ env: {}, isTTY: false }).name('Bob'), 'Bob');
  });

  it('gives each name a stable colour of its own', () => {
    const theme = createTheme({ level: 1 });
    assert.equal(theme.name('Bob'), theme.name('Bob'));
    assert.notEqual(theme.name('Bob'), 'Bob');
    assert.equal(nameColourIndex('Bob'), nameColourIndex('Bob'));
    // Spread: 50 names land on several colours, not one.
    const used = new Set(Array.from({ length: 50 }, (_, i) => nameColourIndex(`peer${i}`)));
    assert.ok(used.size >= 6, `only ${used.size} colours used`);
    // Errors are red (SGR 31), which no name gets.
    const red = '\x1b[31m';
    assert.ok(theme.error('boom').includes(red));
    for (let i = 0; i < 50; i += 1) assert.equal(theme.name(`peer${i}`).includes(red), false);
  });
});
