/**
 * The scriptable face of p2pchat: one command per stdin line, results through
 * a printer (JSON lines for `--json`, readable lines for piped stdin). End of
 * stdin means `/quit`.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { ChatNode, Dropped, IncomingMessage, QuitSummary, Rejected, SendOutcome } from '../core/node.js';
import { COMMAND_HELP, parseCommand } from '../protocol/commands.js';
import type { PeerEntry } from '../core/peer-registry.js';
import { sizeWarning, type PeerAddress } from '../protocol/line.js';
import { advertisedIpWarning, startNode } from './start.js';

/** Everything a scriptable mode shows. The only place these modes print. */
export interface Printer {
  listening(ip: string, port: number): void;
  message(message: IncomingMessage): void;
  rejected(rejected: Rejected): void;
  dropped(dropped: Dropped): void;
  warning(text: string): void;
  sent(outcome: SendOutcome): void;
  peers(peers: readonly PeerEntry[], now: number): void;
  error(message: string): void;
  help(text: string): void;
  /** Quit progress; called often, a printer may ignore it. */
  progress(ok: number, failed: number, total: number): void;
  exit(summary: QuitSummary): void;
}

export interface ScriptOptions {
  readonly input: Readable;
  readonly bootstrap: readonly PeerAddress[];
  /** Resolves when something outside (a signal) asks to quit. */
  readonly quitRequested: Promise<void>;
}

/**
 * Bind `node` (not yet started), then run until `/quit`, end of input or a
 * quit request; resolves with the exit summary. A bind failure rejects with a
 * P2PError before anything is printed.
 */
export async function runScript(node: ChatNode, printer: Printer, options: ScriptOptions): Promise<QuitSummary> {
  // Listen to the node before it is bound: a message accepted at once is shown too.
  node.on('message', (message) => printer.message(message));
  node.on('rejected', (rejected) => printer.rejected(rejected));
  node.on('dropped', (dropped) => printer.dropped(dropped));
  node.on('warning', (text) => printer.warning(text));
  await startNode(node);
  printer.listening(node.ip, node.port);
  const ipWarning = advertisedIpWarning(node.ip);
  if (ipWarning) printer.warning(ipWarning);

  // Results still to print; all are printed before the exit event, the last line.
  const pending = new Set<Promise<void>>();
  const report = (task: Promise<void>): void => {
    pending.add(task);
    const done = (): void => void pending.delete(task);
    task.then(done, done);
  };
  // Bootstrap peers are greeted before the first command is read, so a script
  // finds them in /peers; a signal does not wait for the greeting.
  const greeting = node.greet(options.bootstrap).then((outcomes) => outcomes.forEach((outcome) => printer.sent(outcome)));
  report(greeting);
  let quitting = false;
  await Promise.race([greeting, options.quitRequested.then(() => (quitting = true))]);

  const lines = readline.createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  const quit = new Promise<void>((resolve) => {
    const stop = (): void => {
      quitting = true;
      resolve();
    };
    if (quitting) stop();
    lines.on('line', (line) => {
      // readline hands over the rest of a chunk even after /quit: ignore it.
      if (quitting) return;
      const command = parseCommand(line);
      switch (command.type) {
        case 'none':
          return;
        case 'send': {
          // Warn before sending: peers running the original read one recv(1024) and cut the rest.
          const warning = sizeWarning(node.lineFor(command.text));
          if (warning) printer.warning(warning);
          report(node.send(command.to, command.text).then((outcome) => printer.sent(outcome)));
          return;
        }
        case 'connect':
          report(node.connect(command.to).then((outcome) => printer.sent(outcome)));
          return;
        case 'peers':
          printer.peers(node.peers(), Date.now());
          return;
        case 'help':
          printer.help(COMMAND_HELP);
          return;
        case 'error':
          printer.error(command.message);
          return;
        case 'quit':
          stop();
          return;
      }
    });
    lines.on('close', stop);
    void options.quitRequested.then(stop);
  });
  await quit;
  lines.close();
  const summary = await node.quit((ok, failed, total) => printer.progress(ok, failed, total));
  // Quit waited for sends under way; their results print before the exit line.
  await Promise.allSettled([...pending]);
  printer.exit(summary);
  return summary;
}
