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
import type { Frontend, SessionContext } from '../app/session.js';
import type { View } from '../app/view.js';
import { checkName, checkPort } from '../config/schema.js';
import { ResultWatch } from './flows/result-watch.js';
import { Conversation } from './flows/conversation-flow.js';
import { createInteractiveView } from './interactive-view.js';
import { PromptHost, QuitRequested } from './prompt-host.js';
import { setEscapeTimeout } from './prompts/conversation.js';
import { createTheme, type Theme } from './theme.js';


export interface Ui {
  readonly host: PromptHost;
  readonly theme: Theme;
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

export function createInteractiveFrontend(): Frontend {
  // Before any readline touches stdin: a lone Esc then answers in 25 ms, not 500.
  setEscapeTimeout(process.stdin);
  const theme = createTheme();
  // Ctrl+C inside a prompt arrives as Inquirer's ExitPromptError, not as
  // SIGINT: the host turns it into QuitRequested, which ends the commands.
  const host = new PromptHost();
  const ui: Ui = { host, theme };
  // A terminal that went away (EPIPE, EIO) must not take the peer down mid-quit.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  surviveHangUp(process.stdin);
  let context: SessionContext | undefined;
  const nameOf = (id: string): string | null => context?.peers().find((peer) => peer.address === id)?.name ?? null;
  // The frontend sees the result of each command it yielded (a failed send keeps its draft).
  const watch = new ResultWatch();
  const view: View = watch.wrap(createInteractiveView(host, theme, { nameOf }));
  return {
    view,
    cannotAskBecause: 'here',
    ask: {
      name: () => askName(ui),
      port: (bind) => askPort(ui, bind),
    },
    commands: (given) => {
      context = given;
      return new Conversation({ ...ui, context: given, watch }).source();
    },
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
