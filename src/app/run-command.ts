/**
 * Running one Command, the same for every mode: resolve the peer it names,
 * act through the node, and show the result through the view.
 */
import type { ChatNode } from '../core/node.js';
import { resolvePeer } from '../core/resolve-peer.js';
import { formatAddress } from '../protocol/address.js';
import { COMMAND_HELP, type Command } from '../protocol/commands.js';
import type { MessageStore } from '../store/store.js';
import { parseHostPort, resolveHost } from '../transport/tcp/resolve-host.js';
import type { PeerId } from '../transport/transport.js';
import type { Feature, FeatureContext } from './feature.js';
import type { View } from './view.js';

export interface CommandContext {
  readonly node: ChatNode;
  readonly view: View;
  /** Where /history and /search look; append-only stores answer nothing. */
  readonly store?: MessageStore;
  /** Asked first, in order: a feature that handles a command ends it there. */
  readonly features?: readonly Feature[];
  readonly context?: FeatureContext;
}

export type Target = { readonly ok: true; readonly id: PeerId } | { readonly ok: false; readonly message: string };

/**
 * What the user typed for a peer, as the id to send to: a peer in the list
 * (address, name, unique name prefix, room key prefix), any `ip:port`, or a
 * host name with a port, looked up once within the send timeout.
 */
export async function resolveTarget(typed: string, node: ChatNode): Promise<Target> {
  const found = resolvePeer(typed, node.peers());
  if (found.ok) return { ok: true, id: found.peer.address };
  if (found.address) return { ok: true, id: formatAddress(found.address) };
  const hostPort = parseHostPort(typed);
  if (found.reason === 'none' && hostPort.ok && !hostPort.value.literal) {
    const resolved = await resolveHost(typed, { timeoutMs: node.timeoutMs });
    return resolved.ok ? { ok: true, id: formatAddress(resolved.address) } : { ok: false, message: resolved.message };
  }
  return { ok: false, message: found.message };
}

/** Run one command and show its result. Every mode's commands run here. */
export async function runCommand(context: CommandContext, command: Command): Promise<void> {
  const { node, view } = context;
  if (context.context) {
    for (const feature of context.features ?? []) {
      if (await feature.command?.(command, context.context)) return;
    }
  }
  switch (command.type) {
    case 'send': {
      const target = await resolveTarget(command.to, node);
      if (!target.ok) return view.error(target.message);
      view.sent(await node.send(target.id, command.text), 'send');
      return;
    }
    case 'connect': {
      const target = await resolveTarget(command.to, node);
      if (!target.ok) return view.error(target.message);
      view.sent(await node.connect(target.id), 'connect');
      return;
    }
    case 'all': {
      const summary = await node.sendToAll(command.text, (outcome) => view.sent(outcome, 'all'));
      view.broadcast(summary);
      return;
    }
    case 'forget': {
      const found = resolvePeer(command.peer, node.peers());
      if (!found.ok) return view.error(found.message);
      node.forget(found.peer.address);
      context.store?.forgetPeer?.(found.peer.address);
      view.notice(`Forgot ${found.peer.name ?? found.peer.address} (${found.peer.address}).`);
      return;
    }
    case 'history': {
      let peer: PeerId | undefined;
      if (command.peer !== undefined) {
        const found = resolvePeer(command.peer, node.peers());
        if (!found.ok && !found.address) return view.error(found.message);
        peer = found.ok ? found.peer.address : formatAddress(found.address as NonNullable<typeof found.address>);
      }
      const limit = command.limit ?? 50;
      const messages = context.store?.query({ ...(peer === undefined ? {} : { peer }), limit }) ?? [];
      view.history(messages, peer === undefined ? `the last ${limit}` : `the last ${limit} with ${peer}`);
      return;
    }
    case 'search': {
      const messages = context.store?.query({ words: command.words, limit: 50 }) ?? [];
      view.history(messages, `matching ${JSON.stringify(command.words)}`);
      return;
    }
    case 'to':
      view.error('/to picks the recipient of the conversation prompt; here, use /send <peer> <text>');
      return;
    case 'outbox':
    case 'cancel':
      view.error('there is no outbox in this version: a failed send is reported and not retried');
      return;
    case 'peers':
      view.peers(node.peers(), Date.now());
      return;
    case 'help':
      view.help(COMMAND_HELP);
      return;
    case 'error':
      view.error(command.message);
      return;
    case 'none':
    case 'quit':
      return;
  }
}
