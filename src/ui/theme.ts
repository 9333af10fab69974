/**
 * Colours, in one place, and the only module that imports chalk.
 *
 * Colour is off when `NO_COLOR` is set to anything non-empty (main.ts sets it
 * for `--no-color`) or when the output is not a terminal: piped output and
 * logs get plain text. Each peer name gets a colour of its own derived from
 * the name, so Bob is the same colour in every session and on every machine.
 */
import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

export interface Theme {
  /** Whether any colour is produced at all. */
  readonly enabled: boolean;
  /** A peer's name in its own stable colour. */
  name(text: string, key?: string): string;
  address(text: string): string;
  /** Prompt chrome: the `?`, the highlighted choice, a given answer. */
  accent(text: string): string;
  error(text: string): string;
  warning(text: string): string;
  success(text: string): string;
  /** Notices: peers joining, leaving, connecting, rejected input. */
  notice(text: string): string;
  timestamp(text: string): string;
  bold(text: string): string;
}

export interface ThemeOptions {
  /** Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether the output is a terminal. Default `process.stdout.isTTY`. */
  readonly isTTY?: boolean;
  /** Force a chalk level (tests). */
  readonly level?: 0 | 1 | 2 | 3;
}

// No red (errors own it) and nothing dim (notices own it); bright and normal
// variants double the palette while staying readable on dark and light themes.
const NAME_COLOURS = [
  'cyan',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyanBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
] as const;

/** FNV-1a over UTF-16 code units: tiny, stable across runs and platforms. */
export function nameHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The index into the name palette for `name`; the same name always gets the same one. */
export function nameColourIndex(name: string): number {
  return nameHash(name) % NAME_COLOURS.length;
}

/** Whether colour should be used, per NO_COLOR (https://no-color.org) and the output. */
export function colourWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return isTTY;
}

export function createTheme(options: ThemeOptions = {}): Theme {
  const env = options.env ?? process.env;
  const isTTY = options.isTTY ?? Boolean(process.stdout.isTTY);
  const level = options.level ?? (colourWanted(env, isTTY) ? (supportsColor ? supportsColor.level : 0) : 0);
  const chalk: ChalkInstance = new Chalk({ level });
  return {
    enabled: level > 0,
    name: (text, key = text) => chalk.bold[NAME_COLOURS[nameColourIndex(key)] ?? 'cyan'](text),
    // Plain, so it never competes with the name's colour beside it.
    address: (text) => text,
    accent: (text) => chalk.cyan(text),
    error: (text) => chalk.red(text),
    warning: (text) => chalk.yellow(text),
    success: (text) => chalk.green(text),
    notice: (text) => chalk.dim(text),
    timestamp: (text) => chalk.dim(text),
    bold: (text) => chalk.bold(text),
  };
}

/** A theme that never colours (tests, plain output). */
export const PLAIN_THEME: Theme = createTheme({ level: 0 });
