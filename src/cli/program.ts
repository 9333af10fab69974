/**
 * The command line, generated from the option schema (config/schema.ts): one
 * commander option per row, its validator as the argument parser. Commander
 * only reads flags; defaults, the config file and the environment are merged
 * by config/load.ts, so `flagValues` returns only what was given.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { FlagValues } from '../config/load.js';
import { SCHEMA, type OptionRow } from '../config/schema.js';
import { VERSION } from './version.js';

function describeDefault(option: OptionRow): string | undefined {
  if (option.defaultLabel !== undefined) return option.defaultLabel;
  if (option.default === undefined || option.boolean) return undefined;
  return Array.isArray(option.default) ? option.default.join(',') : String(option.default);
}

function toOption(row: OptionRow): Option {
  const label = describeDefault(row);
  // The default is only shown: the value itself comes from the merge, not from commander.
  const option = new Option(row.flags, label === undefined ? row.help : `${row.help} (default: ${label})`);
  if (row.boolean) return option;
  const parse = (text: string): unknown => {
    const checked = row.parse(text);
    if (!checked.ok) throw new InvalidArgumentError(checked.problem);
    return checked.value;
  };
  return option.argParser(
    row.list ? (text: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as unknown[]) : []), parse(text)] : parse,
  );
}

export function createProgram(): Command {
  const program = new Command('p2pchat')
    .description('Peer-to-peer chat for the terminal: every peer is a TCP server; one connection carries one message.')
    .version(VERSION, '-V, --version');
  for (const row of SCHEMA) program.addOption(toOption(row));
  return program
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (text, write) => write(`p2pchat: ${text.replace(/^error: /, '').trimEnd()}\n`),
    })
    .exitOverride();
}

/** The options given on the command line, by schema key (after `parse`). */
export function flagValues(program: Command): FlagValues {
  const result: Record<string, unknown> = {};
  const values = program.opts<Record<string, unknown>>();
  for (const row of SCHEMA) {
    const attribute = new Option(row.flags).attributeName();
    if (program.getOptionValueSource(attribute) !== 'cli') continue;
    const value = values[attribute];
    // `--history <file>` and `--no-history` share one commander attribute: false is the switch's, a text the file's.
    if (row.boolean && row.key !== attribute) {
      if (value === false) result[row.key] = true;
      continue;
    }
    if (!row.boolean && typeof value === 'boolean') continue;
    result[row.key] = value;
  }
  return result;
}
