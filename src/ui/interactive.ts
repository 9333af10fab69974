/**
 * The interactive terminal: start-up prompts, the menu, live incoming lines
 * above the open prompt, and quitting (menu, Ctrl+C or SIGTERM).
 *
 * Every write goes through one PromptHost, so an incoming line never lands in
 * the middle of a prompt or of the quit progress line.
 */
import { input } from '@inquirer/prompts';
import type { ChatNode } from '../core/node.js';
import { describeError, isP2PError } from '../core/errors.js';
import { EXIT_FAILURE, EXIT_OK, exitCodeFor, QUIT_SIGNALS } from '../core/exit-codes.js';
import type { MessageLog } from '../store/jsonl-log.js';
import type { PeerEntry } from '../core/peer-registry.js';
import { parseIp, parsePort, type CliOptions } from '../cli/program.js';
import { classify, formatAddress, nameProblem, parseAddress, sizeWarning, trimWhitespace, type ControlWord, type PeerAddress } from '../protocol/line.js';
import { advertisedIpWarning, buildNode, openLog, startNode } from '../app/start.js';
import {
  formatConnectResult,
  formatDropped,
  formatGreeting,
  formatIncoming,
  formatPeersTable,
  formatQuitProgress,
  formatQuitSummary,
  formatRejected,
  formatSent,
  formatWarning,
} from './format.js';
import { PromptHost, QuitRequested } from './prompt-host.js';
import { CANCELLED, choose, confirmPrompt, textPrompt, type Choice, type TextState } from './prompts.js';
import { sanitizeForDisplay as safe } from './sanitize.js';
import { createTheme, type Theme } from './theme.js';

type MenuAction = 'send' | 'peers' | 'connect' | 'quit';

/** The original's numbering and words. */
const MENU: readonly Choice<MenuAction>[] = [
  { key: '1', label: 'Send message', value: 'send' },
  { key: '2', label: 'Query active peers', value: 'peers' },
  { key: '3', label: 'Connect to active peers', value: 'connect' },
  { key: '0', label: 'Quit', value: 'quit' },
];

const CONTROL_EFFECT: Readonly<Record<ControlWord, string>> = {
  hello: 'the peer will add you to its list of active peers',
  connect: 'the peer will mark you as connected',
  exit: 'the peer will remove you from its list of active peers',
};

// Redraw the quit progress line at most this often (a thousand peers answer fast).
const PROGRESS_REDRAW_MS = 50;

interface Ui {
  readonly host: PromptHost;
  readonly theme: Theme;
}

interface Session extends Ui {
  readonly node: ChatNode;
}

/**
 * First Ctrl+C, SIGTERM or SIGHUP (terminal closed): quit as from the menu.
 * A second one while quitting leaves at once, 130 for Ctrl+C and 143 for
 * SIGTERM, after flushing the log.
 */
class QuitControl {
  requested = false;
  readonly promise: Promise<void>;
  /** Run right before leaving without the full goodbye: flushes the log. */
  beforeExit: () => void = () => undefined;
  #resolve: () => void = () => undefined;

  constructor(private readonly host: PromptHost) {
    this.promise = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  request(): void {
    if (this.requested) return;
    this.requested = true;
    this.host.close();
    this.#resolve();
  }

  interrupt(exitCode: number): void {
    if (!this.requested) {
      this.request();
      return;
    }
    // Show the cursor again (a list prompt hides it) and leave.
    this.host.output.write('\x1b[?25h\n');
    this.host.output.write('Interrupted: left without waiting for every peer.\n');
    try {
      this.beforeExit();
    } finally {
      process.exit(exitCode);
    }
  }
}

/**
 * When the terminal closes (SIGHUP), closing the open prompt switches raw mode
 * off on a terminal that is gone: EIO. Uncaught, that aborted the process
 * before peers were told `exit`. A terminal that is gone needs no mode.
 */
function surviveHangUp(input: NodeJS.ReadStream): void {
  input.on('error', () => undefined);
  const setRawMode = input.setRawMode?.bind(input);
  if (!setRawMode) return;
  input.setRawMode = (mode: boolean) => {
    try {
      return setRawMode(mode);
    } catch {
      return input;
    }
  };
}

export async function runInteractive(options: CliOptions): Promise<number> {
  const theme = createTheme();
  // Ctrl+C inside a prompt arrives as Inquirer's ExitPromptError, not as SIGINT.
  const host = new PromptHost({ onInterrupt: () => control.request() });
  const control = new QuitControl(host);
  let hungUp = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal !== 'SIGHUP') return control.interrupt(exitCodeFor(signal));
    // A hang-up often comes twice (to the session and to the foreground
    // group); with no one left to see the screen, it never cuts the goodbye short.
    hungUp = true;
    control.request();
  };
  for (const signal of QUIT_SIGNALS) process.on(signal, onSignal);
  // A terminal that went away (EPIPE, EIO) must not take the peer down mid-quit.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  surviveHangUp(process.stdin);
  try {
    return await run(options, { host, theme }, control);
  } finally {
    for (const signal of QUIT_SIGNALS) process.off(signal, onSignal);
    // Inquirer pauses stdin after each prompt; make sure it no longer holds the process.
    process.stdin.pause();
    if (process.stdin.isTTY) process.stdin.unref?.();
    // Peers are told; end as a hung-up program does. A normal exit would make
    // Node restore the modes of a terminal that is gone, and abort on EIO.
    if (hungUp) process.kill(process.pid, 'SIGHUP');
  }
}

async function run(options: CliOptions, ui: Ui, quit: QuitControl): Promise<number> {
  const { host, theme } = ui;
  let node: ChatNode;
  const log = openLog(options);
  quit.beforeExit = () => log?.close();
  try {
    node = await startUp(options, ui, log);
  } catch (error) {
    log?.close();
    if (error instanceof QuitRequested) {
      host.print('Bye.');
      return EXIT_OK;
    }
    throw error;
  }
  const session: Session = { ...ui, node };

  host.print(`Server listening on ${safe(node.address)}`);
  host.print(theme.notice(`You are ${node.name}. Ctrl+C quits and tells your peers.`));
  const ipWarning = advertisedIpWarning(node.ip);
  if (ipWarning) host.print(formatWarning(ipWarning, new Date(), theme));

  let failure: unknown;
  // Greetings go out beside the menu: a bootstrap peer that does not answer
  // must not hold the menu back for the whole send timeout.
  void node.greet(options.peer).then((outcomes) => {
    for (const outcome of outcomes) host.print(formatGreeting(outcome, theme));
  });
  const menu = menuLoop(session).catch((error: unknown) => {
    if (!(error instanceof QuitRequested)) failure = error;
  });
  await Promise.race([menu, quit.promise]);
  quit.request();
  if (failure !== undefined) host.print(theme.error(`Unexpected error: ${safe(describeError(failure))}; quitting.`));

  const summary = await node.quit(progressLine(host));
  host.write('\r\x1b[2K');
  host.print(formatQuitSummary(summary));
  return failure === undefined ? EXIT_OK : EXIT_FAILURE;
}

/** A quit progress callback that redraws one line in place, at most every PROGRESS_REDRAW_MS. */
function progressLine(host: PromptHost): (ok: number, failed: number, total: number) => void {
  let last = -Infinity;
  let latest = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    last = performance.now();
    host.write(`\r\x1b[2K${latest}`);
  };
  return (ok, failed, total) => {
    latest = formatQuitProgress(ok, failed, total);
    clearTimeout(timer);
    const wait = last + PROGRESS_REDRAW_MS - performance.now();
    // The final count is drawn at once; others wait out the window, latest wins.
    if (ok + failed === total || wait <= 0) draw();
    else timer = setTimeout(draw, wait);
  };
}

// ---------------------------------------------------------------------------
// Start-up

/** Print what the node reports, above whatever prompt is open. */
function showEvents(node: ChatNode, { host, theme }: Ui): void {
  node.on('message', (message) => host.print(formatIncoming(message, theme)));
  node.on('rejected', (rejected) => host.print(formatRejected(rejected, new Date(), theme)));
  // A connection closed without a byte is a port probe or a health check: not news.
  node.on('dropped', (dropped) => dropped.reason !== 'empty' && host.print(formatDropped(dropped, new Date(), theme)));
  node.on('warning', (text) => host.print(formatWarning(text, new Date(), theme)));
}

async function startUp(options: CliOptions, ui: Ui, log: MessageLog | undefined): Promise<ChatNode> {
  const { host, theme } = ui;
  const name =
    options.name ??
    (await host.ask((session) =>
      input(
        {
          message: 'Enter your name',
          validate: (value) => {
            const problem = nameProblem(value);
            return problem === undefined ? true : `That name does not work: ${problem}.`;
          },
        },
        session.context,
      ),
      { eraseUnanswered: false },
    ));
  // Listen to a node before it is bound: a message accepted at once is shown too.
  const build = (port: number): ChatNode => {
    const node = buildNode(options, name, port, log);
    showEvents(node, ui);
    return node;
  };

  if (options.port !== undefined) {
    const node = build(options.port);
    try {
      await startNode(node);
      return node;
    } catch (error) {
      if (!isP2PError(error)) throw error;
      host.print(theme.error(bindProblem(error, options.port)));
    }
  }

  let started: ChatNode | undefined;
  await host.ask((session) =>
    input(
      {
        message: 'Enter your port number',
        theme: { validationFailureMode: 'clear' },
        validate: async (value) => {
          let port: number;
          try {
            port = parsePort(value);
          } catch (error) {
            return describeError(error);
          }
          // Free means we can bind it: try, and keep the node if it worked.
          const node = build(port);
          try {
            await startNode(node);
          } catch (error) {
            return bindProblem(error, port);
          }
          started = node;
          return true;
        },
      },
      session.context,
    ),
    { eraseUnanswered: false },
  );
  if (started === undefined) throw new QuitRequested();
  return started;
}

function bindProblem(error: unknown, port: number): string {
  if (isP2PError(error) && error.code === 'P2P_PORT_IN_USE') return `Port ${port} is already in use; choose another.`;
  return describeError(error);
}

// ---------------------------------------------------------------------------
// Menu

async function menuLoop(session: Session): Promise<void> {
  const { host, theme } = session;
  let active = 0;
  for (;;) {
    const action = await host.ask((prompt) =>
      choose(
        {
          message: 'Choose an option',
          theme,
          choices: MENU,
          initial: active,
          onState: (index) => {
            active = index;
          },
          onAnswer: (value) => prompt.answered(value),
        },
        prompt.context,
      ),
    );
    if (action === CANCELLED) continue;
    active = MENU.findIndex((item) => item.value === action);
    switch (action) {
      case 'send':
        await sendFlow(session);
        break;
      case 'peers':
        for (const line of formatPeersTable(session.node.peers(), Date.now(), theme)) host.print(line);
        break;
      case 'connect':
        await connectFlow(session);
        break;
      case 'quit':
        return;
    }
  }
}

/** One line of text, re-opened with the draft after every reprint. */
async function askText(
  session: Ui,
  message: string,
  validate: (value: string) => string | undefined,
  hint = '(Esc to go back)',
): Promise<string | typeof CANCELLED> {
  let draft: TextState | undefined;
  return session.host.ask((prompt) =>
    textPrompt(
      {
        message,
        hint,
        theme: session.theme,
        initial: draft,
        validate,
        onState: (state) => {
          draft = state;
        },
        onAnswer: (value) => prompt.answered(value),
      },
      prompt.context,
    ),
  );
}

async function askConfirm(session: Ui, message: string): Promise<boolean> {
  // What was typed survives a re-open for an incoming line, as in textPrompt.
  let typed = '';
  return session.host.ask((prompt) =>
    confirmPrompt(
      {
        message,
        theme: session.theme,
        initial: typed,
        onState: (state) => {
          typed = state;
        },
        onAnswer: (value) => prompt.answered(value),
      },
      prompt.context,
    ),
  );
}

const OTHER = Symbol('another address');

/** Pick a known peer (or, when `allowOther`, type an address). Undefined: go back. */
async function pickPeer(session: Session, message: string, allowOther: boolean): Promise<PeerAddress | undefined> {
  const { host, theme, node } = session;
  // Most recently heard first; the snapshot keeps numbers stable across reprints.
  const peers = node.peers().reverse();
  if (peers.length === 0) {
    if (!allowOther) {
      host.print(theme.notice('No active peers. Send a message or wait for someone to say hello.'));
      return undefined;
    }
    return askAddress(session);
  }
  const choices: Choice<PeerEntry | typeof OTHER>[] = peers.map((peer, index) => ({
    key: String(index + 1),
    label: peer.name === null ? safe(peer.address) : `${safe(peer.name)} (${safe(peer.address)})`,
    value: peer,
  }));
  if (allowOther) choices.push({ key: '0', label: 'Another address…', value: OTHER });
  let active = 0;
  const picked = await host.ask((prompt) =>
    choose(
      {
        message,
        theme,
        choices,
        initial: active,
        onState: (index) => {
          active = index;
        },
        onAnswer: (value) => prompt.answered(value),
      },
      prompt.context,
    ),
  );
  if (picked === CANCELLED) return undefined;
  if (picked === OTHER) return askAddress(session);
  return { ip: picked.ip, port: picked.port };
}

/** IP then port, each validated and asked again until right; `ip:port` in the first answer skips the second. */
async function askAddress(session: Ui): Promise<PeerAddress | undefined> {
  const ipAnswer = await askText(
    session,
    'Peer IP address',
    (value) => {
      const text = trimWhitespace(value);
      if (parseAddress(text).ok) return undefined;
      try {
        parseIp(text);
        return undefined;
      } catch (error) {
        return describeError(error);
      }
    },
    '(e.g. 127.0.0.1, or ip:port; Esc to go back)',
  );
  if (ipAnswer === CANCELLED) return undefined;
  const whole = parseAddress(trimWhitespace(ipAnswer));
  if (whole.ok) return whole.address;
  const ip = parseIp(trimWhitespace(ipAnswer));
  const portAnswer = await askText(session, 'Peer port', (value) => {
    try {
      parsePort(value);
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  });
  if (portAnswer === CANCELLED) return undefined;
  return { ip, port: parsePort(portAnswer) };
}

async function sendFlow(session: Session): Promise<void> {
  const { host, theme, node } = session;
  const to = await pickPeer(session, 'Send to', true);
  if (to === undefined) return;
  const text = await askText(session, `Message to ${safe(formatAddress(to))}`, (value) =>
    trimWhitespace(value) === '' ? 'Type a message, or press Esc to go back.' : undefined,
  );
  if (text === CANCELLED) return;
  const warning = sizeWarning(node.lineFor(text));
  if (warning !== undefined) host.print(theme.warning(warning));
  const kind = classify(text);
  if (kind !== 'chat') {
    const sure = await askConfirm(session, `"${kind}" is a control word: ${CONTROL_EFFECT[kind]}. Send it anyway?`);
    if (!sure) {
      host.print(theme.notice('Not sent.'));
      return;
    }
  }
  host.print(formatSent(await node.send(to, text), theme));
}

async function connectFlow(session: Session): Promise<void> {
  const { host, theme, node } = session;
  const to = await pickPeer(session, 'Connect to', false);
  if (to === undefined) return;
  const outcome = await node.connect(to);
  host.print(formatConnectResult(outcome, theme));
}
