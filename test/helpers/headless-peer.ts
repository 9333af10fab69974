/**
 * Drive the real built CLI in headless mode (`--json`) as a child process:
 * write slash commands to its stdin, read its JSON events from stdout.
 * Every peer started here is killed by `stop()` (call it in `after`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { exitWithin, stopChild } from './child.js';
import { withTestDataHome } from './data-home.js';
import { waitUntil, Wakeups } from './wait.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/bin.js');

export type JsonEvent = { type: string } & Record<string, unknown>;

export interface HeadlessPeer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** Every event so far, in order. */
  readonly events: JsonEvent[];
  readonly stderr: () => string;
  /** Write one command line. */
  command(line: string): void;
  /** Resolve with the first event (already seen or future) matching `predicate`. */
  waitFor(predicate: (event: JsonEvent) => boolean, timeoutMs?: number, what?: string): Promise<JsonEvent>;
  /** Resolve once `count` events match. */
  waitForCount(predicate: (event: JsonEvent) => boolean, count: number, timeoutMs?: number): Promise<JsonEvent[]>;
  /** Send `/quit`, wait for exit; resolves with the exit code. */
  quit(timeoutMs?: number): Promise<number | null>;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  /** Kill if still running. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  name?: string;
  /** Extra flags. `--port auto` (an ephemeral port) is used unless `args` names a port. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the listening event (default 10 s). */
  startTimeoutMs?: number;
  /**
   * Run the CLI through another program, e.g. `bash -c 'ulimit -n 64; exec "$0" "$@"'`
   * for a low file limit: gets node's path and arguments, returns the command to spawn.
   */
  wrap?: (file: string, args: string[]) => { file: string; args: string[] };
}

export async function startHeadlessPeer(options: StartOptions = {}): Promise<HeadlessPeer> {
  const args = options.args ?? [];
  const hasPort = args.includes('--port');
  const argv = [CLI, '--json', '--name', options.name ?? 'Peer', '--ip', '127.0.0.1', '--host', '127.0.0.1', ...(hasPort ? [] : ['--port', 'auto']), ...args];
  const command = options.wrap ? options.wrap(process.execPath, argv) : { file: process.execPath, args: argv };
  const child = spawn(command.file, command.args, {
    env: { ...process.env, NO_COLOR: '1', ...withTestDataHome(options.env) },
    stdio: 'pipe',
  });
  const events: JsonEvent[] = [];
  const wakeups = new Wakeups('peer');
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => wakeups.end());
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as JsonEvent);
    } catch {
      events.push({ type: 'unparsable', line });
    }
    wakeups.wake();
  });

  // Each waiter scans only the events that arrived since its last look: a 10k-event run stays linear.
  const waitForCount = (predicate: (e: JsonEvent) => boolean, count: number, timeoutMs = 10_000): Promise<JsonEvent[]> => {
    const found: JsonEvent[] = [];
    let scanned = 0;
    const check = (): JsonEvent[] | undefined => {
      for (; scanned < events.length && found.length < count; scanned += 1) {
        const event = events[scanned] as JsonEvent;
        if (predicate(event)) found.push(event);
      }
      return found.length >= count ? found : undefined;
    };
    const describe = (): string => `${found.length}/${count} matching events; stderr: ${stderr}; last: ${JSON.stringify(events.slice(-3))}`;
    return waitUntil(check, timeoutMs, describe, wakeups);
  };

  const waitFor = async (predicate: (e: JsonEvent) => boolean, timeoutMs?: number): Promise<JsonEvent> =>
    (await waitForCount(predicate, 1, timeoutMs))[0] as JsonEvent;

  const stop = (): Promise<void> => stopChild(child, exited);

  let listening: JsonEvent;
  try {
    listening = await waitFor((e) => e.type === 'listening', options.startTimeoutMs ?? 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child,
    port: listening.port as number,
    events,
    stderr: () => stderr,
    command: (line) => {
      child.stdin.write(`${line}\n`);
    },
    waitFor,
    waitForCount,
    quit: (timeoutMs = 15_000) => {
      child.stdin.write('/quit\n');
      return exitWithin(child, exited, timeoutMs);
    },
    exited,
    stop,
  };
}

/** Spawn the CLI with arguments and no stdin; resolve with its code and output. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...withTestDataHome(options.env) }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
