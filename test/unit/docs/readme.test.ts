/** The README's options and error tables, and --help, agree with the schema and the catalogue. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgram } from '../../../src/cli/program.js';
import { SCHEMA } from '../../../src/config/schema.js';
import { errorsTable, optionsTable, readmeSection } from '../../helpers/docs.js';

describe('documentation in step with the code', () => {
  it("the README's options table is the schema's", () => {
    assert.deepEqual(readmeSection('options'), optionsTable());
  });

  it("the README's error table is the catalogue", () => {
    assert.deepEqual(readmeSection('errors'), errorsTable());
  });

  it('--help lists every option of the schema with its help text, and nothing else', () => {
    const help = createProgram().helpInformation();
    for (const option of SCHEMA) {
      assert.ok(help.includes(option.flags), `--help shows ${option.flags}`);
      assert.ok(help.replace(/\s+/g, ' ').includes(option.help), `--help explains ${option.flags}`);
    }
    const listed = help.split('\n').filter((line) => /^\s+-/.test(line)).length;
    assert.equal(listed, SCHEMA.length + 2, 'schema options plus --version and --help');
  });
});
