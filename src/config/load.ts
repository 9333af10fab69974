/**
 * Where every option's value comes from: defaults < config file <
 * environment < flags. Reads the file and the environment; everything else
 * is pure. A bad file or variable is one sentence naming the file (line and
 * column for a JSON syntax error), the key and what was expected.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { P2PError } from '../core/errors.js';
import { defaults, longFlag, SCHEMA, type OptionKey, type OptionRow, type Options } from './schema.js';

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface LoadedConfig {
  readonly options: Options;
  readonly sources: Readonly<Record<OptionKey, Source>>;
  /** The config file read, if any. */
  readonly file: string | undefined;
}

/** Options given on the command line (only those given). */
export type FlagValues = Partial<Options>;

/**
 * The config file to read: `--config`, else `P2PCHAT_CONFIG`, else
 * `$XDG_CONFIG_HOME/p2pchat/config.json` (falling back to
 * `~/.config/p2pchat/config.json`). `explicit`: named by the user, so a
 * missing one is an error; a missing default file is fine.
 */
export function configFilePath(flag: string | undefined, env: NodeJS.ProcessEnv, home = os.homedir()): { path: string; explicit: boolean } {
  if (flag !== undefined) return { path: flag, explicit: true };
  if (env.P2PCHAT_CONFIG) return { path: env.P2PCHAT_CONFIG, explicit: true };
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return { path: path.join(base, 'p2pchat', 'config.json'), explicit: false };
}

function invalid(message: string): P2PError {
  return new P2PError('P2P_CONFIG_INVALID', message);
}

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Edit distance, for did-you-mean. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

const FILE_ROWS = SCHEMA.filter((option) => option.inFile !== false);

export function didYouMean(key: string): string | undefined {
  let best: { key: string; score: number } | undefined;
  for (const option of FILE_ROWS) {
    const score = distance(key, option.key);
    if (best === undefined || score < best.score) best = { key: option.key, score };
  }
  return best !== undefined && best.score <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** One file value through the row's own validator. */
function fileValue(option: OptionRow, value: unknown, where: string): unknown {
  const expect = (what: string): never => {
    throw invalid(`${where}: key "${option.key}" must be ${what}, not ${describeJson(value)}`);
  };
  const check = (text: string): unknown => {
    const checked = option.parse(text);
    if (!checked.ok) throw invalid(`${where}: key "${option.key}": ${checked.problem}`);
    return checked.value;
  };
  if (option.list) {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return expect('an array of strings such as ["127.0.0.1:5001"]');
    return (value).map(check);
  }
  if (option.boolean) return typeof value === 'boolean' ? value : expect('true or false');
  if (typeof value === 'number' && Number.isFinite(value)) return check(String(value));
  if (typeof value === 'string') return check(value);
  return expect('a string or a number');
}

/** Read and check a config file. Undefined when a default file does not exist. */
export function readConfigFile(file: string, explicit: boolean): Partial<Options> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return undefined;
    throw invalid(`config file ${file}: cannot read it (${code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? lineAndColumn(text, Number(at[1])) : undefined;
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw invalid(`config file ${file}: not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid(`config file ${file}: expected a JSON object such as {"name": "Alice", "port": 5000}, not ${describeJson(parsed)}`);
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const option = FILE_ROWS.find((candidate) => candidate.key === key);
    if (!option) {
      const guess = didYouMean(key);
      throw invalid(`config file ${file}: unknown key "${key}"${guess ? `; did you mean "${guess}"?` : `; keys are ${FILE_ROWS.map((o) => o.key).join(', ')}`}`);
    }
    result[key] = fileValue(option, value, `config file ${file}`);
  }
  return result;
}

/** Options from `P2PCHAT_*` variables (lists comma-separated). */
export function readEnvironment(env: NodeJS.ProcessEnv): Partial<Options> {
  const result: Record<string, unknown> = {};
  for (const option of SCHEMA) {
    if (option.key === 'config') continue;
    const text = env[option.env];
    if (text === undefined) continue;
    const check = (item: string): unknown => {
      const checked = option.parse(item);
      if (!checked.ok) throw new P2PError('P2P_ENV_INVALID', `environment variable ${option.env}: ${checked.problem}`);
      return checked.value;
    };
    result[option.key] = option.list
      ? text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
          .map(check)
      : check(text);
  }
  return result;
}

/** Merge the layers, later wins: defaults < file < environment < flags. Pure. */
export function mergeOptions(layers: { file?: Partial<Options>; env?: Partial<Options>; flags?: FlagValues }): {
  options: Options;
  sources: Record<OptionKey, Source>;
} {
  const options = defaults() as unknown as Record<string, unknown>;
  const sources = {} as Record<OptionKey, Source>;
  for (const option of SCHEMA) sources[option.key] = 'default';
  const apply = (layer: Partial<Options> | undefined, source: Source): void => {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value === undefined) continue;
      options[key] = value;
      sources[key as OptionKey] = source;
    }
  };
  apply(layers.file, 'file');
  apply(layers.env, 'env');
  apply(layers.flags, 'flag');
  return { options: options as unknown as Options, sources };
}

/** Everything together: find and read the file, read the environment, merge. */
export function loadConfig(flags: FlagValues, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): LoadedConfig {
  const { path: file, explicit } = configFilePath(flags.config, env, home);
  const fromFile = readConfigFile(file, explicit);
  const { options, sources } = mergeOptions({ file: fromFile, env: readEnvironment(env), flags });
  if (flags.config === undefined && env.P2PCHAT_CONFIG) sources.config = 'env';
  options.config = fromFile === undefined ? undefined : file;
  return { options, sources, file: fromFile === undefined ? undefined : file };
}

/** `--show-config`: one line per option, its effective value and where it came from. */
export function formatShowConfig(config: LoadedConfig): string[] {
  const width = Math.max(...SCHEMA.map((option) => longFlag(option).length));
  const lines = [`config file: ${config.file ?? 'none'}`];
  for (const option of SCHEMA) {
    if (option.key === 'showConfig' || option.key === 'config') continue;
    const value = config.options[option.key];
    const shown = value === undefined ? `(${option.defaultLabel ?? 'unset'})` : Array.isArray(value) ? value.join(',') || '(none)' : String(value);
    lines.push(`${option.key.padEnd(width)}  ${shown}  [${config.sources[option.key]}]`);
  }
  return lines;
}
