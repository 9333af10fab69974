/**
 * Every option, once: its flag, config-file key, environment variable, type,
 * default, help text and validator. Commander's options, `--help`, the config
 * file, the environment, `--show-config`, the interactive prompts and the
 * README's options table all come from these rows (a test keeps the README in
 * step). Pure: validators return a problem sentence, never throw.
 */
import { isIP } from 'node:net';
import { parseAddress, formatAddress } from '../protocol/address.js';
import { nameProblem } from '../protocol/line.js';
import { VERIFY_MODES, type VerifyMode } from '../core/verify.js';
import { DEFAULT_MAX_PEERS } from '../core/peer-registry.js';
import { DEFAULT_LIMITS } from '../transport/tcp/chat-server.js';
import { DEFAULT_SEND_TIMEOUT_MS } from '../transport/tcp/sender.js';
import { DEFAULT_OUTBOX_TTL_MS } from '../core/outbox.js';
import { parseDuration } from './duration.js';
import type { PeerId } from '../transport/transport.js';
import { parseHostPort } from '../transport/tcp/resolve-host.js';
// Pure checks only: nothing of hyperswarm is reachable from here.
import { parseBootstrapNode } from '../transport/room/bootstrap.js';
import { parseRoomName } from '../transport/room/topic.js';
import { interfaceProblem } from '../discovery/mdns.js';
import { DEFAULT_TTL_SECONDS, TTL_RANGE } from '../discovery/schedule.js';

/** The value of `--port auto`: let the system pick a free port (the listening line says which). */
export const ANY_PORT = 0;

/** Every effective option, after defaults < file < environment < flags. */
export interface Options {
  name: string | undefined;
  port: number | undefined;
  host: string;
  ip: string | undefined;
  peers: PeerId[];
  timeout: number;
  log: string | undefined;
  json: boolean;
  color: boolean;
  verify: VerifyMode;
  maxMessageBytes: number;
  idleTimeout: number;
  messageDeadline: number;
  maxConnections: number;
  maxPeers: number;
  // -- history (issue 12) --
  /** The history file; undefined: `$XDG_DATA_HOME/p2pchat/history-<port>.db`. */
  history: string | undefined;
  /** Keep the history in memory only for this run (nothing on disk). */
  noHistory: boolean;
  /** Earlier messages shown at interactive start-up; 0 for none. */
  replay: number;
  /** Greet the verified peers heard in the last 7 days at start-up. */
  rejoin: boolean;

  // -- outbox (issue 13) --
  /** How long a queued message waits before it is given up, in ms (`--outbox-ttl`, default 24 h). */
  outboxTtl: number;

  // -- LAN discovery (issue 11) --
  discover: boolean;
  discoverInterface: string | undefined;
  discoverTtl: number;

  // -- rooms (issue 14) --
  /** Hyperswarm rooms to join (`--room`, repeatable). */
  rooms: string[];
  /** The identity file; undefined: defaultIdentityPath(). */
  identity: string | undefined;
  /** DHT bootstrap nodes as `host:port` (each entry may hold a comma list); empty: the public ones. */
  dhtBootstrap: string[];

  // -- conversation (issue 10) --

  /** Not a file key: where the file is. */
  config: string | undefined;
  /** Not a file key: print the effective options and exit. */
  showConfig: boolean;
}

export type OptionKey = keyof Options;

/** A converted value, or the sentence that says what is wrong with it. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export interface OptionRow<K extends OptionKey = OptionKey> {
  readonly key: K;
  /** Commander's flags, e.g. `-p, --port <port>`. */
  readonly flags: string;
  /** `P2PCHAT_<NAME>`. */
  readonly env: string;
  readonly help: string;
  readonly default: Options[K];
  /** How the default reads in --help and the README when it is not the value itself. */
  readonly defaultLabel?: string;
  /** Repeatable flag; an array in the file; comma-separated in the environment. */
  readonly list?: boolean;
  /** A switch: `--json`, or `--no-color` for a default-on option. */
  readonly boolean?: boolean;
  /** False for options that make no sense inside the config file (--config itself). */
  readonly inFile?: false;
  /** The allowed words, for `<mode>` choices. */
  readonly choices?: readonly string[];
  /** Convert one text value (a flag, an environment variable, a prompt answer). */
  readonly parse: (text: string) => Checked<unknown>;
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const problem = (text: string): Checked<never> => ({ ok: false, problem: text });

export function checkName(text: string): Checked<string> {
  const why = nameProblem(text);
  return why === undefined ? ok(text) : problem(`name ${JSON.stringify(text)} is not valid: ${why}.`);
}

export function checkPort(text: string): Checked<number> {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'auto') return ok(ANY_PORT);
  if (!/^[0-9]+$/.test(trimmed)) return problem(`port ${JSON.stringify(text)} is not a number; use 1 to 65535, or auto.`);
  const port = Number(trimmed);
  if (port < 1 || port > 65535) return problem(`port ${port} is outside 1..65535 (use auto for any free port).`);
  return ok(port);
}

export function checkIp(text: string): Checked<string> {
  const trimmed = text.trim();
  const ip = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (isIP(ip) === 0) return problem(`${JSON.stringify(text)} is not an IP address such as 127.0.0.1 or ::1.`);
  return ok(ip);
}

export function checkPeer(text: string): Checked<PeerId> {
  const parsed = parseAddress(text.trim());
  if (parsed.ok) return ok(formatAddress(parsed.address));
  // A host name with a port (`localhost:5001`) is looked up once at start-up.
  const named = parseHostPort(text.trim());
  if (named.ok && !named.value.literal) return ok(text.trim());
  const missingPort = isIP(text.trim()) !== 0 ? `the :port is missing; ` : '';
  return problem(`peer ${JSON.stringify(text)} is not ip:port (${missingPort}${parsed.error.detail}); e.g. 127.0.0.1:5001, [::1]:5001 or localhost:5001.`);
}

function positiveInt(what: string): (text: string) => Checked<number> {
  return (text) => {
    const n = Number(text.trim());
    if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
      return problem(`${what} ${JSON.stringify(text)} is not a whole number above 0.`);
    }
    return ok(n);
  };
}

function wholeNumber(what: string): (text: string) => Checked<number> {
  return (text) => {
    const n = Number(text.trim());
    if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n)) return problem(`${what} ${JSON.stringify(text)} is not a whole number (0 or more).`);
    return ok(n);
  };
}

function choice<T extends string>(what: string, words: readonly T[]): (text: string) => Checked<T> {
  return (text) => {
    const word = text.trim().toLowerCase() as T;
    return words.includes(word) ? ok(word) : problem(`${what} ${JSON.stringify(text)} is not allowed. Allowed choices are ${words.join(', ')}.`);
  };
}

function checkBoolean(what: string): (text: string) => Checked<boolean> {
  return (text) => {
    const word = text.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(word)) return ok(true);
    if (['0', 'false', 'no', 'off', ''].includes(word)) return ok(false);
    return problem(`${what} ${JSON.stringify(text)} is not true or false.`);
  };
}

// The interface must exist now: a typo fails at start-up, not as a silent LAN.
function checkInterface(text: string): Checked<string> {
  const address = text.trim();
  const why = interfaceProblem(address);
  return why === undefined ? ok(address) : problem(`discover-interface: ${why}.`);
}

function checkTtl(text: string): Checked<number> {
  const n = Number(text.trim());
  if (!/^[0-9]+$/.test(text.trim()) || n < TTL_RANGE.min || n > TTL_RANGE.max) {
    return problem(`discover-ttl ${JSON.stringify(text)} is not a whole number of seconds from ${TTL_RANGE.min} to ${TTL_RANGE.max}.`);
  }
  return ok(n);
}

function checkDuration(what: string): (text: string) => Checked<number> {
  return (text) => {
    const ms = parseDuration(text);
    return ms === undefined ? problem(`${what} ${JSON.stringify(text)} is not a duration such as 30s, 10m or 24h.`) : ok(ms);
  };
}

function anyText(text: string): Checked<string> {
  return text === '' ? problem('the value is empty.') : ok(text);
}

export function checkRoom(text: string): Checked<string> {
  const parsed = parseRoomName(text.trim());
  return parsed.ok ? ok(parsed.name) : problem(`${parsed.error}.`);
}

/** One `host:port`, or a comma list of them (kept as one normalised entry). */
export function checkDhtBootstrap(text: string): Checked<string> {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) return problem('the value is empty.');
  try {
    return ok(items.map((item) => {
      const node = parseBootstrapNode(item);
      return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
    }).join(','));
  } catch (error) {
    return problem(`${(error as Error).message}.`);
  }
}

function row<K extends OptionKey>(spec: Omit<OptionRow<K>, 'env'> & { env?: string }): OptionRow<K> {
  const long = /--(?:no-)?([a-z-]+)/.exec(spec.flags)?.[1] ?? spec.key;
  return { ...spec, env: spec.env ?? `P2PCHAT_${long.replace(/-/g, '_').toUpperCase()}` };
}

/** The options, in --help order. */
export const SCHEMA: readonly OptionRow[] = [
  row({ key: 'name', flags: '-n, --name <name>', help: 'your name, one word (asked for if missing on a terminal)', default: undefined, defaultLabel: 'asked on a terminal', parse: checkName }),
  row({ key: 'port', flags: '-p, --port <port>', help: 'port to listen on, 1-65535, or auto for any free port (asked for if missing on a terminal)', default: undefined, defaultLabel: 'asked on a terminal', parse: checkPort }),
  row({ key: 'host', flags: '--host <address>', help: 'address to bind the server to', default: '0.0.0.0', parse: checkIp }),
  row({ key: 'ip', flags: '--ip <address>', help: 'address written into outgoing messages', default: undefined, defaultLabel: 'first non-internal IPv4, else 127.0.0.1', parse: checkIp }),
  row({ key: 'peers', flags: '--peer <ip:port>', help: 'bootstrap peer greeted with hello at start-up (repeatable)', default: [], defaultLabel: 'none', list: true, parse: checkPeer }),
  row({ key: 'timeout', flags: '-t, --timeout <ms>', help: 'send timeout in milliseconds; also bounds the whole quit', default: DEFAULT_SEND_TIMEOUT_MS, parse: positiveInt('timeout') }),
  row({ key: 'log', flags: '--log <file>', help: 'append every sent and received message to this file as JSON lines', default: undefined, defaultLabel: 'off', parse: anyText }),
  row({ key: 'json', flags: '--json', help: 'headless mode: JSON events on stdout, slash commands on stdin', default: false, boolean: true, parse: checkBoolean('json') }),
  row({ key: 'color', flags: '--no-color', help: 'plain text, no colours (also NO_COLOR=1)', default: true, defaultLabel: 'colour on a terminal', boolean: true, parse: checkBoolean('color') }),
  row({ key: 'verify', flags: '--verify <mode>', help: 'check claimed sender IPs against connections: off, warn or strict', default: 'warn', choices: VERIFY_MODES, parse: choice('verify', VERIFY_MODES) }),
  row({ key: 'maxMessageBytes', flags: '--max-message-bytes <n>', help: 'largest message accepted, in bytes', default: DEFAULT_LIMITS.maxMessageBytes, parse: positiveInt('max-message-bytes') }),
  row({ key: 'idleTimeout', flags: '--idle-timeout <ms>', help: 'close an incoming connection silent this long', default: DEFAULT_LIMITS.idleTimeoutMs, parse: positiveInt('idle-timeout') }),
  row({ key: 'messageDeadline', flags: '--message-deadline <ms>', help: 'close an incoming connection whose message is not complete in this time', default: DEFAULT_LIMITS.messageDeadlineMs, parse: positiveInt('message-deadline') }),
  row({ key: 'maxConnections', flags: '--max-connections <n>', help: 'most incoming connections at once; the idlest makes room', default: DEFAULT_LIMITS.maxConnections, parse: positiveInt('max-connections') }),
  row({ key: 'maxPeers', flags: '--max-peers <n>', help: 'most entries in the active-peer list', default: DEFAULT_MAX_PEERS, parse: positiveInt('max-peers') }),
  // -- history (issue 12) --
  row({ key: 'history', flags: '--history <file>', help: 'keep the message history in this SQLite file', default: undefined, defaultLabel: '$XDG_DATA_HOME/p2pchat/history-<port>.db', parse: anyText }),
  row({ key: 'noHistory', flags: '--no-history', env: 'P2PCHAT_NO_HISTORY', help: 'keep no history on disk (this run only, in memory)', default: false, boolean: true, parse: checkBoolean('no-history') }),
  row({ key: 'replay', flags: '--replay <n>', help: 'earlier messages shown at interactive start-up (0 for none)', default: 20, parse: wholeNumber('replay') }),
  row({ key: 'rejoin', flags: '--rejoin', help: 'greet the verified peers heard in the last 7 days at start-up', default: false, boolean: true, parse: checkBoolean('rejoin') }),

  // -- outbox (issue 13) --
  row({ key: 'outboxTtl', flags: '--outbox-ttl <duration>', help: 'give up a queued message after this long, e.g. 30s, 10m, 24h', default: DEFAULT_OUTBOX_TTL_MS, defaultLabel: '24h', parse: checkDuration('outbox-ttl') }),

  // -- LAN discovery (issue 11) --
  row({ key: 'discover', flags: '--discover', help: 'announce yourself on the LAN (mDNS, UDP 5353) and list the p2pchat peers heard there', default: false, boolean: true, parse: checkBoolean('discover') }),
  row({ key: 'discoverInterface', flags: '--discover-interface <address>', help: 'IPv4 address of the interface LAN discovery uses (needs --discover; it does not turn it on)', default: undefined, defaultLabel: 'every interface', parse: checkInterface }),
  row({ key: 'discoverTtl', flags: '--discover-ttl <seconds>', help: 'lifetime of our LAN announcement: peers drop us this long after a crash', default: DEFAULT_TTL_SECONDS, parse: checkTtl }),

  // -- rooms (issue 14) --
  row({ key: 'rooms', flags: '--room <name>', help: 'join this room on Hyperswarm, beyond the LAN (repeatable)', default: [], defaultLabel: 'none', list: true, parse: checkRoom }),
  row({ key: 'identity', flags: '--identity <file>', help: 'key pair file for rooms, created 0600 on first use', default: undefined, defaultLabel: '$XDG_CONFIG_HOME/p2pchat/identity.json', parse: anyText }),
  row({ key: 'dhtBootstrap', flags: '--dht-bootstrap <host:port>', help: 'DHT bootstrap node for rooms (repeatable or comma list)', default: [], defaultLabel: "Hyperswarm's public nodes", list: true, parse: checkDhtBootstrap }),

  // -- conversation (issue 10) --

  row({ key: 'config', flags: '--config <file>', help: 'read options from this JSON file', default: undefined, defaultLabel: '$XDG_CONFIG_HOME/p2pchat/config.json', inFile: false, parse: anyText }),
  row({ key: 'showConfig', flags: '--show-config', help: 'print every effective option and where it came from, then exit', default: false, boolean: true, inFile: false, parse: checkBoolean('show-config') }),
];

export function rowFor<K extends OptionKey>(key: K): OptionRow<K> {
  const found = SCHEMA.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no option ${key}`);
  return found as unknown as OptionRow<K>;
}

/** The long flag of a row, e.g. `--max-peers`, `--no-color`. */
export function longFlag(option: OptionRow): string {
  return /--[a-z-]+/.exec(option.flags)?.[0] ?? `--${option.key}`;
}

/** The defaults, as one Options value. */
export function defaults(): Options {
  const result: Record<string, unknown> = {};
  for (const option of SCHEMA) result[option.key] = Array.isArray(option.default) ? [...option.default] : option.default;
  return result as unknown as Options;
}
