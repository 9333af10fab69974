/** The README's generated parts, from the schema and the error catalogue (test/unit/docs/readme.test.ts keeps them in step). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { longFlag, SCHEMA, type OptionRow } from '../../src/config/schema.js';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';

export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

function defaultText(option: OptionRow): string {
  if (option.defaultLabel !== undefined) return option.defaultLabel;
  if (option.boolean) return 'off';
  return Array.isArray(option.default) ? option.default.join(',') || 'none' : `\`${String(option.default)}\``;
}

export function optionsTable(): string[] {
  const rows = SCHEMA.map((option) => {
    const key = option.inFile === false ? '–' : `\`${option.key}\``;
    return `| \`${option.flags}\` | ${key} | \`${option.env}\` | ${defaultText(option)} | ${option.help} |`;
  });
  return ['| option | config key | environment | default | what it does |', '| --- | --- | --- | --- | --- |', ...rows];
}

export function errorsTable(): string[] {
  const rows = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => `| \`${code}\` | ${entry.exitCode} | ${entry.when} |`);
  return ['| code | exit | when |', '| --- | --- | --- |', ...rows];
}

/** The lines between `<!-- name:start -->` and `<!-- name:end -->` in the README. */
export function readmeSection(name: string): string[] {
  const text = fs.readFileSync(README, 'utf8');
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) return [];
  return text.slice(start, end).split('\n').slice(1).filter((line) => line.trim() !== '');
}

export { longFlag };
