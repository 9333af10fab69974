/**
 * The interactive terminal as a Frontend of the session: start-up prompts
 * (name, then a port that is really bound), and the original's menu, whose
 * flows turn the user's choices into the same Command values that a stdin
 * line parses into. The session runs them; the view prints the results.
 *
 * Every write goes through one PromptHost, so an incoming line never lands in
 * the middle of a prompt or of the quit progress line.
 */
import { input } from '@inquirer/prompts';
import type { CommandSource, Frontend, SessionContext } from '../app/session.js';
import { checkIp, checkName, checkPort } from '../config/schema.js';
import type { PeerSnapshot } from '../core/node.js';
import { formatAddress, parseAddress } from '../protocol/address.js';
import type { Command } from '../protocol/commands.js';
import { classify, trimWhitespace, type ControlWord } from '../protocol/line.js';
import type { PeerId } from '../transport/transport.js';
import { createInteractiveView } from './interactive-view.js';
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

interface Ui {
  readonly host: PromptHost;
  readonly theme: Theme;
}

interface Session extends Ui {
  readonly context: SessionContext;
}

/**
 * When the terminal closes (SIGHUP), closing the open prompt switches raw mode
 * off on a terminal that is gone: EIO. Uncaught, that aborted the process
 * before peers were told `exit`. A terminal that is gone needs no mode.
 */
function surviveHangUp(stdin: NodeJS.ReadStream): void {
  stdin.on('error', () => undefined);
  const setRawMode = stdin.setRawMode?.bind(stdin);
  if (!setRawMode) return;
  stdin.setRawMode = (mode: boolean) => {
    try {
      return setRawMode(mode);
    } catch {
      return stdin;
    }
  };
}

/** A problem sentence from a schema validator, or undefined. */
function problemOf(checked: { ok: true } | { ok: false; problem: string }): string | undefined {
  return checked.ok ? undefined : checked.problem;
}

export function createInteractiveFrontend(): Frontend {
  const theme = createTheme();
  // Ctrl+C inside a prompt arrives as Inquirer's ExitPromptError, not as
  // SIGINT: the host turns it into QuitRequested, which ends the commands.
  const host = new PromptHost();
  const ui: Ui = { host, theme };
  // A terminal that went away (EPIPE, EIO) must not take the peer down mid-quit.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  surviveHangUp(process.stdin);
  return {
    view: createInteractiveView(host, theme),
    cannotAskBecause: 'here',
    ask: {
      name: () => askName(ui),
      port: (bind) => askPort(ui, bind),
    },
    commands: (context) => menuCommands({ ...ui, context }),
    interrupt: () => host.close(),
    dispose: () => {
      // Inquirer pauses stdin after each prompt; make sure it no longer holds the process.
      process.stdin.pause();
      if (process.stdin.isTTY) process.stdin.unref?.();
    },
  };
}

// ---------------------------------------------------------------------------
// Start-up

async function askName({ host }: Ui): Promise<string | undefined> {
  try {
    return await host.ask(
      (session) =>
        input(
          {
            message: 'Enter your name',
            validate: (value) => {
              const checked = checkName(value);
              return checked.ok ? true : `That name does not work: ${checked.problem}`;
            },
          },
          session.context,
        ),
      { eraseUnanswered: false },
    );
  } catch (error) {
    if (!(error instanceof QuitRequested)) throw error;
    host.print('Bye.');
    return undefined;
  }
}

async function askPort({ host }: Ui, bind: (port: number) => Promise<string | undefined>): Promise<boolean> {
  let bound = false;
  try {
    await host.ask(
      (session) =>
        input(
          {
            message: 'Enter your port number',
            theme: { validationFailureMode: 'clear' },
            validate: async (value) => {
              const checked = checkPort(value);
              if (!checked.ok) return checked.problem;
              // Free means we can bind it: try, and keep the node if it worked.
              const problem = await bind(checked.value);
              if (problem !== undefined) return problem;
              bound = true;
              return true;
            },
          },
          session.context,
        ),
      { eraseUnanswered: false },
    );
  } catch (error) {
    if (!(error instanceof QuitRequested)) throw error;
  }
  if (!bound) host.print('Bye.');
  return bound;
}

// ---------------------------------------------------------------------------
// Menu

/** The menu as a source of commands: each call runs the menu until a choice makes one. */
function menuCommands(session: Session): CommandSource {
  let active = 0;
  return {
    next: async () => {
      try {
        return await nextCommand(session, active, (index) => {
          active = index;
        });
      } catch (error) {
        if (error instanceof QuitRequested) return undefined;
        throw error;
      }
    },
    close: () => session.host.close(),
  };
}

async function nextCommand(session: Session, initial: number, remember: (index: number) => void): Promise<Command> {
  const { host, theme } = session;
  let active = initial;
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
            remember(index);
          },
          onAnswer: (value) => prompt.answered(value),
        },
        prompt.context,
      ),
    );
    if (action === CANCELLED) continue;
    active = MENU.findIndex((item) => item.value === action);
    remember(active);
    const command = await flowFor(action, session);
    if (command !== undefined) return command;
  }
}

function flowFor(action: MenuAction, session: Session): Promise<Command | undefined> | Command {
  switch (action) {
    case 'send':
      return sendFlow(session);
    case 'peers':
      return { type: 'peers' };
    case 'connect':
      return connectFlow(session);
    case 'quit':
      return { type: 'quit' };
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
async function pickPeer(session: Session, message: string, allowOther: boolean): Promise<PeerId | undefined> {
  const { host, theme, context } = session;
  // Most recently heard first; the snapshot keeps numbers stable across reprints.
  const peers = [...context.peers()].reverse();
  if (peers.length === 0) {
    if (!allowOther) {
      host.print(theme.notice('No active peers. Send a message or wait for someone to say hello.'));
      return undefined;
    }
    return askAddress(session);
  }
  const choices: Choice<PeerSnapshot | typeof OTHER>[] = peers.map((peer, index) => ({
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
  return picked.address;
}

/** IP then port, each validated and asked again until right; `ip:port` in the first answer skips the second. */
async function askAddress(session: Ui): Promise<PeerId | undefined> {
  const ipAnswer = await askText(
    session,
    'Peer IP address',
    (value) => {
      const text = trimWhitespace(value);
      return parseAddress(text).ok ? undefined : problemOf(checkIp(text));
    },
    '(e.g. 127.0.0.1, or ip:port; Esc to go back)',
  );
  if (ipAnswer === CANCELLED) return undefined;
  const whole = parseAddress(trimWhitespace(ipAnswer));
  if (whole.ok) return formatAddress(whole.address);
  const ip = checkIp(trimWhitespace(ipAnswer));
  if (!ip.ok) return undefined;
  const portAnswer = await askText(session, 'Peer port', (value) => {
    const checked = checkPort(value);
    if (checked.ok && checked.value === 0) return 'Give the peer\'s port, 1 to 65535.';
    return problemOf(checked);
  });
  if (portAnswer === CANCELLED) return undefined;
  const port = checkPort(portAnswer);
  return port.ok ? formatAddress({ ip: ip.value, port: port.value }) : undefined;
}

async function sendFlow(session: Session): Promise<Command | undefined> {
  const { host, theme } = session;
  const to = await pickPeer(session, 'Send to', true);
  if (to === undefined) return undefined;
  const text = await askText(session, `Message to ${safe(to)}`, (value) =>
    trimWhitespace(value) === '' ? 'Type a message, or press Esc to go back.' : undefined,
  );
  if (text === CANCELLED) return undefined;
  const kind = classify(text);
  if (kind !== 'chat') {
    const sure = await askConfirm(session, `"${kind}" is a control word: ${CONTROL_EFFECT[kind]}. Send it anyway?`);
    if (!sure) {
      host.print(theme.notice('Not sent.'));
      return undefined;
    }
  }
  return { type: 'send', to, text };
}

async function connectFlow(session: Session): Promise<Command | undefined> {
  const to = await pickPeer(session, 'Connect to', false);
  return to === undefined ? undefined : { type: 'connect', to };
}
