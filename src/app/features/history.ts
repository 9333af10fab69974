/**
 * The history (issue 12) in the session: once the port is bound, open the
 * history for it and add it to the session's StoreSet, so every message and
 * send result is stored before it is shown; load the peers of earlier runs
 * into the list (marked known); remember peers as they speak; with --rejoin,
 * greet the verified ones heard lately; at interactive start-up, replay the
 * last messages. A history that cannot be used is one warning line and the
 * chat runs memory-only (`openHistory` never throws).
 */
import os from 'node:os';
import type { Options } from '../../config/schema.js';
import type { IncomingMessage } from '../../core/node.js';
import type { Command } from '../../protocol/commands.js';
import { defaultHistoryPath } from '../../store/history-path.js';
import { MemoryStore } from '../../store/memory-store.js';
import { openHistory } from '../../store/open-history.js';
import type { KnownPeer, MessageStore, StoredMessage } from '../../store/store.js';
import type { PeerId } from '../../transport/transport.js';
import type { Feature, FeatureContext } from '../feature.js';

/** How recently a peer must have been heard to be greeted by --rejoin: 7 days. */
export const REJOIN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** How many stored records the replay looks through to find its chat lines (control words are skipped). */
const REPLAY_SCAN_FACTOR = 5;

/**
 * The peers --rejoin greets: verified, heard within `windowMs` before `now`,
 * and not already greeted as a --peer. Pure.
 */
export function rejoinTargets(known: readonly KnownPeer[], now: number, alreadyGreeted: readonly PeerId[], windowMs = REJOIN_WINDOW_MS): PeerId[] {
  const skip = new Set(alreadyGreeted);
  return known.filter((peer) => peer.verified && now - peer.lastSeen <= windowMs && !skip.has(peer.id)).map((peer) => peer.id);
}

/** The last `count` chat lines among `records` (newest last): what start-up replays. Pure. */
export function replayLines(records: readonly StoredMessage[], count: number): StoredMessage[] {
  if (count <= 0) return [];
  return records.filter((record) => record.kind === 'chat').slice(-count);
}

export interface HistoryFeatureOptions {
  /** Where the default history lives: the environment and home folder (tests). Default process.env, os.homedir(). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly homedir?: string;
  /** Default Date.now. */
  readonly clock?: () => number;
}

export function createHistoryFeature(options: Options, io: HistoryFeatureOptions = {}): Feature {
  const clock = io.clock ?? Date.now;
  let store: MessageStore | undefined;
  let rejoin: Promise<void> | undefined;
  let listener: ((message: IncomingMessage) => void) | undefined;

  const open = (port: number, context: FeatureContext): MessageStore => {
    if (options.noHistory) return new MemoryStore();
    let file = options.history;
    if (file === undefined) {
      try {
        file = defaultHistoryPath(port, io.env ?? process.env, io.homedir ?? os.homedir());
      } catch (error) {
        context.view.warning(`No place for the history (${(error as Error).message}); this session keeps its history in memory only.`);
        return new MemoryStore();
      }
    }
    const opened = openHistory(file);
    if (opened.warning !== undefined) context.view.warning(opened.warning);
    return opened.store;
  };

  return {
    name: 'history',
    // Synchronous up to stores.add: no message can arrive between the listening line and the history joining.
    start(context) {
      const { node, view } = context;
      store = open(node.port, context);
      context.stores.add(store);
      const history = store;
      for (const peer of history.knownPeers?.(options.maxPeers) ?? []) {
        node.remember(peer.id, peer.name, 'known', false, peer.lastSeen);
      }
      listener = (message) => history.rememberPeer?.({ id: message.from, name: message.name, verified: message.verified, lastSeen: message.at.getTime() });
      node.on('message', listener);
      if (context.interactive && options.replay > 0) {
        const earlier = replayLines(history.query({ limit: options.replay * REPLAY_SCAN_FACTOR }), options.replay);
        if (earlier.length > 0) view.replay(earlier);
      }
      if (options.rejoin) {
        const targets = rejoinTargets(history.knownPeers?.(options.maxPeers) ?? [], clock(), options.peers);
        if (targets.length > 0) rejoin = node.greet(targets).then((outcomes) => outcomes.forEach((outcome) => view.sent(outcome, 'greet')));
      }
    },
    // As the --peer greeting: the first command waits for the rejoin hellos, so /peers shows their effect.
    async command(_command: Command) {
      if (rejoin !== undefined) await rejoin;
      return false;
    },
    async stop(context) {
      if (rejoin !== undefined) await rejoin;
      if (listener !== undefined) context.node.off('message', listener);
      // The session closes the whole StoreSet again; close is idempotent.
      store?.close();
    },
  };
}
