/**
 * The command line, declared in one place. Custom parsers throw
 * InvalidArgumentError with one sentence that quotes the bad value.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { isIP } from 'node:net';
import { DEFAULT_LIMITS } from '../transport/tcp/chat-server.js';
import { DEFAULT_MAX_PEERS } from '../core/peer-registry.js';
import { nameProblem, parseAddress, type PeerAddress } from '../protocol/line.js';
import { DEFAULT_SEND_TIMEOUT_MS } from '../transport/tcp/sender.js';
import { VERIFY_MODES, type VerifyMode } from '../core/verify.js';
import { VERSION } from './version.js';

export interface CliOptions {
  name?: string;
  port?: number;
  host: string;
  ip?: string;
  peer: PeerAddress[];
  timeout: number;
  log?: string;
  json?: boolean;
  color: boolean;
  verify: VerifyMode;
  maxMessageBytes: number;
  idleTimeout: number;
  messageDeadline: number;
  maxConnections: number;
  maxPeers: number;
}

export function parseName(value: string): string {
  const problem = nameProblem(value);
  if (problem) throw new InvalidArgumentError(`name ${JSON.stringify(value)} is not valid: ${problem}.`);
  return value;
}

/** The value of `--port auto`: let the system pick a free port (the listening line says which). */
export const ANY_PORT = 0;

export function parsePort(value: string): number {
  if (value.trim().toLowerCase() === 'auto') return ANY_PORT;
  if (!/^[0-9]+$/.test(value.trim())) {
    throw new InvalidArgumentError(`port ${JSON.stringify(value)} is not a number; use 1 to 65535, or auto.`);
  }
  const port = Number(value);
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`port ${port} is outside 1..65535 (use auto for any free port).`);
  return port;
}

export function parseIp(value: string): string {
  const ip = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(ip) === 0) throw new InvalidArgumentError(`${JSON.stringify(value)} is not an IP address such as 127.0.0.1 or ::1.`);
  return ip;
}

function parsePeer(value: string, previous: PeerAddress[]): PeerAddress[] {
  const parsed = parseAddress(value);
  if (!parsed.ok) {
    throw new InvalidArgumentError(`peer ${JSON.stringify(value)} is not ip:port (${parsed.error.detail}); e.g. 127.0.0.1:5001 or [::1]:5001.`);
  }
  return [...previous, parsed.address];
}

function positiveInt(what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} is not a whole number above 0.`);
    }
    return n;
  };
}

export function createProgram(): Command {
  return new Command('p2pchat')
    .description('Peer-to-peer chat for the terminal: every peer is a TCP server; one connection carries one message.')
    .version(VERSION, '-V, --version')
    .option('-n, --name <name>', 'your name, one word (asked for if missing on a terminal)', parseName)
    .option('-p, --port <port>', 'port to listen on, 1-65535, or auto for any free port (asked for if missing on a terminal)', parsePort)
    .option('--host <address>', 'address to bind the server to', parseIp, '0.0.0.0')
    .option('--ip <address>', 'address written into outgoing messages (default: first non-internal IPv4, else 127.0.0.1)', parseIp)
    .addOption(
      new Option('--peer <ip:port>', 'bootstrap peer greeted with hello at start-up (repeatable)')
        .argParser(parsePeer)
        .default([] as PeerAddress[], 'none'),
    )
    .option('-t, --timeout <ms>', 'send timeout in milliseconds', positiveInt('timeout'), DEFAULT_SEND_TIMEOUT_MS)
    .option('--log <file>', 'append every sent and received message to this file as JSON lines')
    .option('--json', 'headless mode: JSON events on stdout, slash commands on stdin')
    .option('--no-color', 'plain text, no colours (also NO_COLOR=1)')
    .addOption(
      new Option('--verify <mode>', 'check claimed sender IPs against connections: off, warn or strict')
        .choices(VERIFY_MODES)
        .default('warn'),
    )
    .option('--max-message-bytes <n>', 'largest message accepted, in bytes', positiveInt('max-message-bytes'), DEFAULT_LIMITS.maxMessageBytes)
    .option('--idle-timeout <ms>', 'close an incoming connection silent this long', positiveInt('idle-timeout'), DEFAULT_LIMITS.idleTimeoutMs)
    .option('--message-deadline <ms>', 'close an incoming connection whose message is not complete in this time', positiveInt('message-deadline'), DEFAULT_LIMITS.messageDeadlineMs)
    .option('--max-connections <n>', 'most incoming connections at once; the idlest makes room', positiveInt('max-connections'), DEFAULT_LIMITS.maxConnections)
    .option('--max-peers <n>', 'most entries in the active-peer list', positiveInt('max-peers'), DEFAULT_MAX_PEERS)
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (text, write) => write(`p2pchat: ${text.replace(/^error: /, '').trimEnd()}\n`),
    })
    .exitOverride();
}
