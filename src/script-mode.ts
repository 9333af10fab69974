/**
 * The scriptable face of p2pchat: one command per stdin line, results through
 * a printer (JSON lines for `--json`, readable lines for piped stdin). End of
 * stdin means `/quit`.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { ChatNode, Dropped, IncomingMessage, QuitSummary, Rejected, SendOutcome } from './chat-node.js';
import { COMMAND_HELP, parseCommand } from './commands.js';
import type { PeerEntry } from './peer-registry.js';
import { sizeWarning, type PeerAddress } from './protocol.js';

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

/** Run until `/quit`, end of input or a quit request; resolves with the exit summary. */
export async function runScript(node: ChatNode, printer: Printer, options: ScriptOptions): Promise<QuitSummary> {
  node.on('message', (message) => printer.message(message));
  node.on('rejected', (rejected) => printer.rejected(rejected));
  node.on('dropped', (dropped) => printer.dropped(dropped));
  node.on('warning', (text) => printer.warning(text));

  printer.listening(node.ip, node.port);
  for (const outcome of await node.greet(options.bootstrap)) printer.sent(outcome);

  const lines = readline.createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  const quit = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      const command = parseCommand(line);
      switch (command.type) {
        case 'none':
          return;
        case 'send': {
          // Warn before sending: peers running the original read one recv(1024) and cut the rest.
          const warning = sizeWarning(node.lineFor(command.text));
          if (warning) printer.warning(warning);
          void node.send(command.to, command.text).then((outcome) => printer.sent(outcome));
          return;
        }
        case 'connect':
          void node.connect(command.to).then((outcome) => printer.sent(outcome));
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
          resolve();
          return;
      }
    });
    lines.on('close', () => resolve());
    void options.quitRequested.then(() => resolve());
  });
  await quit;
  lines.close();
  const summary = await node.quit((ok, failed, total) => printer.progress(ok, failed, total));
  printer.exit(summary);
  return summary;
}
