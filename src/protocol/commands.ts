/**
 * The commands of every mode: a stdin line in `--json` and piped mode parses
 * into one of these, and the interactive menu turns the user's choices into
 * the same values. Pure.
 */
import { trimWhitespace } from './line.js';
import type { PeerId } from '../transport/transport.js';
import { formatAddress, parseAddress } from './address.js';

export type Command =
  | { readonly type: 'send'; readonly to: PeerId; readonly text: string }
  | { readonly type: 'connect'; readonly to: PeerId }
  | { readonly type: 'peers' }
  | { readonly type: 'quit' }
  | { readonly type: 'help' }
  | { readonly type: 'none' }
  | { readonly type: 'error'; readonly message: string };

export const COMMAND_HELP = 'commands: /send <ip:port> <text>, /connect <ip:port>, /peers, /quit';

function target(token: string | undefined, usage: string): { to: PeerId } | { error: string } {
  if (!token) return { error: `missing address: ${usage}` };
  const parsed = parseAddress(token);
  if (!parsed.ok) return { error: `bad address: ${parsed.error.detail}` };
  return { to: formatAddress(parsed.address) };
}

export function parseCommand(input: string): Command {
  const line = trimWhitespace(input);
  if (line === '') return { type: 'none' };
  const match = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(line);
  const [, word = '', first, rest] = match ?? [];
  switch (word.toLowerCase()) {
    case '/send': {
      const usage = '/send <ip:port> <text>';
      const parsed = target(first, usage);
      if ('error' in parsed) return { type: 'error', message: parsed.error };
      if (!rest || trimWhitespace(rest) === '') return { type: 'error', message: `missing text: ${usage}` };
      return { type: 'send', to: parsed.to, text: rest };
    }
    case '/connect': {
      const parsed = target(first, '/connect <ip:port>');
      if ('error' in parsed) return { type: 'error', message: parsed.error };
      return { type: 'connect', to: parsed.to };
    }
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
