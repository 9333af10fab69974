/**
 * What every mode shows, and the only way the session shows anything. A View
 * is only a printer: the interactive terminal, plain lines for piped stdin,
 * and JSON lines for `--json` each implement it. A new face of p2pchat (a
 * web page, a GUI) is one more View.
 */
import type { BroadcastSummary, Dropped, IncomingMessage, PeerSnapshot, QuitSummary, Rejected, SendOutcome } from '../core/node.js';
import type { StoredMessage } from '../store/store.js';
import type { OutboxEntry } from '../core/outbox.js';
import type { OutboxRunnerEvents } from '../core/outbox-runner.js';

/** Why a send happened: the view may word each differently. */
export type SendCause = 'send' | 'connect' | 'greet' | 'all';

export interface ListeningInfo {
  /** The address bound. */
  readonly host: string;
  /** The address advertised in our messages. */
  readonly ip: string;
  readonly port: number;
  readonly name: string;
}

/** A room we are in (issue 14). */
export interface RoomInfo {
  /** The room's name, without `room:`. */
  readonly room: string;
  /** Our own `@` + 64 hex id in it. */
  readonly id: string;
}

/** Room membership news (issue 14). */
export interface RoomPeerEvent {
  readonly type: 'joined' | 'left';
  readonly peer: string;
  readonly name: string | null;
  readonly room: string;
}

export interface View {
  listening(info: ListeningInfo): void;
  message(message: IncomingMessage): void;
  rejected(rejected: Rejected): void;
  dropped(dropped: Dropped): void;
  warning(text: string): void;
  sent(outcome: SendOutcome, cause: SendCause): void;
  peers(peers: readonly PeerSnapshot[], now: number): void;
  error(message: string): void;
  help(text: string): void;
  /** Quit progress; called often, a view may ignore it. */
  progress(ok: number, failed: number, total: number): void;
  exit(summary: QuitSummary): void;
  /** After each peer's own result: the summary of a "send to all". */
  broadcast(summary: BroadcastSummary): void;
  /** Stored messages, for /history and /search (newest last). */
  history(messages: readonly StoredMessage[], what: string): void;
  /** A short notice for the user (a peer forgotten, the recipient changed). */
  notice(text: string): void;
  // -- history (issue 12) --

  // -- outbox (issue 13) --
  /** The outbox starts an attempt at a queued message (`sending…`). */
  sending(event: OutboxRunnerEvents['sending'][0]): void;
  /** A message waits in the outbox: its attempt failed (`attempt` ≥ 1), or it is behind others to that peer (`attempt` 0). */
  queued(event: OutboxRunnerEvents['queued'][0]): void;
  /** A queued message was given up after --outbox-ttl. */
  gaveUp(event: OutboxRunnerEvents['gave-up'][0]): void;
  /** /outbox: the waiting messages, in the order they will go. */
  outbox(entries: readonly OutboxEntry[], now: number): void;

  // -- LAN discovery (issue 11) --

  // -- rooms (issue 14) --
  /** Our own id in a room, once per --room at start-up. */
  roomJoined(info: RoomInfo): void;
  /** A peer joined or left a room (debounced by the transport: a replaced stream is not news). */
  roomPeer(event: RoomPeerEvent): void;

  // -- conversation (issue 10) --
  /** Leaving at once (a second Ctrl+C): last words, written synchronously. */
  interrupted?(): void;
}
