/**
 * The commands of every mode: a stdin line in `--json` and piped mode parses
 * into one of these, the conversation prompt parses its `/` lines the same
 * way, and the interactive menu turns the user's choices into the same
 * values. Pure.
 *
 * A peer is named by what the user typed (`to`, `peer`): an `ip:port`, a host
 * name with a port, a name or a unique name prefix, or a room key prefix. The
 * session resolves it against the peer list when the command runs.
 */
import { trimWhitespace } from './line.js';

export type Command =
  | { readonly type: 'send'; readonly to: string; readonly text: string }
  | { readonly type: 'all'; readonly text: string }
  | { readonly type: 'connect'; readonly to: string }
  | { readonly type: 'to'; readonly to: string }
  | { readonly type: 'forget'; readonly peer: string }
  | { readonly type: 'history'; readonly peer?: string; readonly limit?: number }
  | { readonly type: 'search'; readonly words: string }
  | { readonly type: 'outbox' }
  | { readonly type: 'cancel'; readonly id: string }
  | { readonly type: 'peers' }
  | { readonly type: 'quit' }
  | { readonly type: 'help' }
  | { readonly type: 'none' }
  | { readonly type: 'error'; readonly message: string };

/** Every command with its usage and what it does: `/help` and the README show these. */
export const COMMANDS: ReadonlyArray<readonly [usage: string, what: string]> = [
  ['/send <peer> <text>', 'send text to a peer: ip:port, host:port, a name, a unique name prefix, or @ and 8+ hex of a room peer'],
  ['/all <text>', 'send text to every peer that quit would tell'],
  ['/to <peer>', 'talk to this peer from now on (conversation prompt)'],
  ['/connect <peer>', 'send connect and mark the peer connected'],
  ['/peers', 'list the active peers'],
  ['/forget <peer>', 'remove a peer from the list'],
  ['/history [peer] [n]', 'the last n messages (default 50), with everyone or one peer'],
  ['/search <words>', 'messages that contain these words'],
  ['/outbox', 'messages waiting to be retried'],
  ['/cancel <id>', 'drop a message from the outbox'],
  ['/help', 'this list'],
  ['/quit', 'tell every verified peer exit, then stop'],
];

export const COMMAND_HELP = `commands: ${COMMANDS.map(([usage]) => usage).join(', ')}`;

const MAX_HISTORY = 10_000;

function missing(what: string, usage: string): Command {
  return { type: 'error', message: `missing ${what}: ${usage}` };
}

export function parseCommand(input: string): Command {
  const line = trimWhitespace(input);
  if (line === '') return { type: 'none' };
  const match = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(line);
  const [, word = '', first, rest] = match ?? [];
  const restText = rest === undefined ? '' : trimWhitespace(rest);
  const afterWord = trimWhitespace(line.slice(word.length));
  switch (word.toLowerCase()) {
    case '/send': {
      const usage = '/send <peer> <text>';
      if (!first) return missing('peer', usage);
      if (restText === '') return missing('text', usage);
      return { type: 'send', to: first, text: rest as string };
    }
    case '/all':
    case '/everyone':
      return afterWord === '' ? missing('text', '/all <text>') : { type: 'all', text: afterWord };
    case '/connect':
      return first ? { type: 'connect', to: first } : missing('peer', '/connect <peer>');
    case '/to':
      return first ? { type: 'to', to: first } : missing('peer', '/to <peer>');
    case '/forget':
      return first ? { type: 'forget', peer: first } : missing('peer', '/forget <peer>');
    case '/history': {
      // `/history`, `/history 20`, `/history bob`, `/history bob 20`.
      const words = afterWord === '' ? [] : afterWord.split(/\s+/);
      if (words.length > 2) return { type: 'error', message: 'too many words: /history [peer] [n]' };
      const last = words.at(-1);
      const count = last !== undefined && /^[0-9]+$/.test(last) ? Number(last) : undefined;
      if (count !== undefined && (count < 1 || count > MAX_HISTORY)) {
        return { type: 'error', message: `n must be 1 to ${MAX_HISTORY}: /history [peer] [n]` };
      }
      const peer = count === undefined ? words[0] : words.length === 2 ? words[0] : undefined;
      if (count === undefined && words.length === 2) return { type: 'error', message: `"${words[1]}" is not a number: /history [peer] [n]` };
      return { type: 'history', ...(peer === undefined ? {} : { peer }), ...(count === undefined ? {} : { limit: count }) };
    }
    case '/search':
      return afterWord === '' ? missing('words', '/search <words>') : { type: 'search', words: afterWord };
    case '/outbox':
      return { type: 'outbox' };
    case '/cancel':
      return first ? { type: 'cancel', id: first } : missing('message id', '/cancel <id> (see /outbox)');
    case '/peers':
      return { type: 'peers' };
    case '/quit':
    case '/exit':
      return { type: 'quit' };
    case '/help':
      return { type: 'help' };
    default:
      return { type: 'error', message: `unknown command ${JSON.stringify(word.slice(0, 40))}; ${COMMAND_HELP}` };
  }
}
