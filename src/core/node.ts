/**
 * One peer: the server, the registry, the sender and the log, wired together.
 * It applies the peer rules and the spoof policy and emits typed events; the UI
 * (interactive, line or headless) decides how to show them. It never prints.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ChatServer, type DroppedEvent, type ReceivedEvent, type RejectedEvent, type ServerLimits } from '../transport/tcp/chat-server.js';
import type { MessageLog } from '../store/jsonl-log.js';
import { PeerRegistry, type PeerEntry, type RegistryChange } from './peer-registry.js';
import {
  formatAddress,
  formatMessage,
  trimWhitespace,
  unsendableReason,
  type MessageKind,
  type PeerAddress,
} from '../protocol/line.js';
import { broadcast, DEFAULT_SEND_TIMEOUT_MS, sendMessage, type SendFailure } from '../transport/tcp/sender.js';
import { freeFileDescriptors } from '../transport/tcp/fd-limit.js';
import { claimMatches, type VerifyMode } from './verify.js';

/** Most `exit` sends in flight at once when quitting (fewer if the file limit is lower). */
const QUIT_CONCURRENCY = 512;

export interface ChatNodeOptions {
  readonly name: string;
  /** The address written into outgoing messages. */
  readonly ip: string;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs?: number;
  readonly limits?: Partial<ServerLimits>;
  readonly maxPeers?: number;
  readonly verify?: VerifyMode;
  readonly log?: MessageLog;
  /** This machine's non-loopback addresses, for the spoof check. */
  readonly ownAddresses?: ReadonlySet<string>;
  /** Clock, injectable for tests (epoch ms). */
  readonly now?: () => number;
}

export interface IncomingMessage {
  readonly kind: MessageKind;
  /** The claimed `ip:port`. */
  readonly from: string;
  readonly name: string;
  readonly text: string;
  /** The connection's source address. */
  readonly remote: string;
  readonly at: Date;
  /** Whether the claimed IP matched the connection (see verify.ts). */
  readonly verified: boolean;
  /** What the message did to the peer list. */
  readonly change: RegistryChange;
  readonly peer?: PeerEntry;
}

/** A connection that ended without an accepted message, and why. */
export interface ConnectionNotice {
  /** The connection's source, `ip:port`. */
  readonly remote: string;
  readonly reason: string;
  readonly detail: string;
}

/** A message refused: malformed, too large, timed out, or unverified in strict mode. */
export type Rejected = ConnectionNotice;
/** A connection closed with nothing received: empty, idle, made room for, or reset. */
export type Dropped = ConnectionNotice;

export type SendOutcome =
  | { readonly ok: true; readonly to: string; readonly text: string; readonly line: string; readonly ms: number }
  | {
      readonly ok: false;
      readonly to: string;
      readonly text: string;
      readonly line: string;
      readonly failure: SendFailure | 'invalid';
      readonly error: string;
      readonly ms: number;
    };

export interface QuitSummary {
  readonly notified: number;
  readonly failed: number;
  /** Peers not told: unverified and never reached (their address is only a claim); 0 with --verify off. */
  readonly skipped: number;
  readonly failures: readonly SendOutcome[];
  readonly ms: number;
}

export interface ChatNodeEvents {
  message: [IncomingMessage];
  rejected: [Rejected];
  dropped: [Dropped];
  warning: [string];
}

export type QuitProgress = (ok: number, failed: number, total: number) => void;

export class ChatNode extends EventEmitter<ChatNodeEvents> {
  readonly name: string;
  readonly ip: string;
  readonly host: string;
  readonly timeoutMs: number;
  readonly verify: VerifyMode;
  readonly registry: PeerRegistry;
  readonly server: ChatServer;
  readonly log: MessageLog | undefined;
  #port: number;
  readonly #ownAddresses: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #inFlight = new Set<Promise<unknown>>();
  #quitting: Promise<QuitSummary> | undefined;

  constructor(options: ChatNodeOptions) {
    super();
    this.name = options.name;
    this.ip = options.ip;
    this.host = options.host;
    this.#port = options.port;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.verify = options.verify ?? 'warn';
    this.log = options.log;
    if (this.log) {
      const path = this.log.path;
      this.log.onError = (error) =>
        this.emit('warning', `cannot write the log file "${path}" (${error.code ?? error.message}); messages are still shown`);
    }
    this.#ownAddresses = options.ownAddresses ?? new Set();
    this.#now = options.now ?? Date.now;
    this.registry = new PeerRegistry({ maxPeers: options.maxPeers });
    this.server = new ChatServer(options.limits);
    this.server.on('message', (event) => this.#onMessage(event));
    this.server.on('rejected', (event) => this.#onRejected(event));
    this.server.on('dropped', (event) => this.#onDropped(event));
    this.server.on('warning', (error) => this.emit('warning', `listener: ${error.message}`));
  }

  /** The listening port (the real one once started, when 0 was asked for). */
  get port(): number {
    return this.#port;
  }

  /** Our own advertised address, `ip:port`. */
  get address(): string {
    return formatAddress({ ip: this.ip, port: this.#port });
  }

  /** Bind the server. Rejects with the system error (EADDRINUSE, EACCES…). */
  async start(): Promise<AddressInfo> {
    const info = await this.server.listen(this.#port, this.host);
    this.#port = info.port;
    return info;
  }

  /** The exact line that `send` would write. */
  lineFor(text: string): string {
    return formatMessage({ ip: this.ip, port: this.#port }, this.name, trimWhitespace(text));
  }

  /** Send one message. Never rejects: the outcome says what went wrong. */
  send(to: PeerAddress, text: string): Promise<SendOutcome> {
    const task = this.#send(to, text);
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    return task;
  }

  /** Send `connect` and mark the peer connected on our side. */
  async connect(to: PeerAddress): Promise<SendOutcome> {
    const outcome = await this.send(to, 'connect');
    if (outcome.ok) this.registry.markConnected(to);
    return outcome;
  }

  /** Greet bootstrap peers with `hello`, concurrently. */
  greet(peers: readonly PeerAddress[]): Promise<SendOutcome[]> {
    return Promise.all(peers.map((peer) => this.send(peer, 'hello')));
  }

  peers(): PeerEntry[] {
    return this.registry.list();
  }

  /**
   * Tell every known peer `exit` (concurrently, under one deadline of the send
   * timeout), then stop listening and close the log. Idempotent.
   */
  quit(onProgress?: QuitProgress): Promise<QuitSummary> {
    this.#quitting ??= this.#quit(onProgress);
    return this.#quitting;
  }

  /** Stop without telling anyone (tests, and a second Ctrl+C). */
  async close(): Promise<void> {
    await this.server.close();
    this.log?.close();
  }

  async #quit(onProgress?: QuitProgress): Promise<QuitSummary> {
    const started = performance.now();
    // One deadline for the whole goodbye, so quit never takes longer than the
    // send timeout (plus closing), however many sends were already under way.
    const deadline = started + this.timeoutMs;
    const line = this.lineFor('exit');
    let ok = 0;
    let failed = 0;
    let total = 0;
    const failures: SendOutcome[] = [];
    const told = new Set<string>();
    const tell = async (targets: readonly PeerAddress[]): Promise<void> => {
      const fresh = targets.filter((to) => !told.has(formatAddress(to)));
      for (const to of fresh) told.add(formatAddress(to));
      total += fresh.length;
      onProgress?.(ok, failed, total);
      if (fresh.length === 0) return;
      await broadcast(fresh, () => line, {
        timeoutMs: Math.max(1, Math.ceil(deadline - performance.now())),
        // Each send takes a descriptor: stay under the file limit, or the rest fail with EMFILE.
        concurrency: Math.min(QUIT_CONCURRENCY, Math.max(1, (freeFileDescriptors() ?? QUIT_CONCURRENCY) - 8)),
        onResult: ({ to, result }) => {
          const outcome = this.#outcome(to, 'exit', line, result);
          this.#logSent(outcome);
          if (result.ok) ok += 1;
          else {
            failed += 1;
            failures.push(outcome);
          }
          onProgress?.(ok, failed, total);
        },
      });
    };
    // Only peers whose address is proven (they spoke from it, or one of our
    // sends reached it) are told: forged hellos must not choose where quit
    // opens connections. With --verify off every claim is taken at its word.
    const known = (): PeerAddress[] =>
      this.registry
        .list()
        .filter((peer) => peer.verified || peer.reached || this.verify === 'off')
        .map(({ ip, port }) => ({ ip, port }));
    // Tell the peers we know now at once; a send already under way may add a
    // peer when it completes (each is bounded by its own timeout, which started
    // earlier): tell those too, within what is left of the same deadline.
    const now = tell(known());
    const later = Promise.allSettled([...this.#inFlight]).then(() => tell(known()));
    await Promise.all([now, later]);
    const skipped = this.registry.list().filter((peer) => !told.has(peer.address)).length;
    await this.close();
    return { notified: ok, failed, skipped, failures, ms: performance.now() - started };
  }

  async #send(to: PeerAddress, text: string): Promise<SendOutcome> {
    const body = trimWhitespace(text);
    const line = this.lineFor(body);
    const label = formatAddress(to);
    if (body === '') {
      return { ok: false, to: label, text: body, line, failure: 'invalid', error: 'the message is empty', ms: 0 };
    }
    const unsendable = unsendableReason(line);
    if (unsendable) {
      return { ok: false, to: label, text: body, line, failure: 'invalid', error: unsendable, ms: 0 };
    }
    const result = await sendMessage(to, line, { timeoutMs: this.timeoutMs });
    const outcome = this.#outcome(to, body, line, result);
    this.#logSent(outcome);
    if (outcome.ok) this.registry.noteSent(to, this.#now());
    return outcome;
  }

  #outcome(to: PeerAddress, text: string, line: string, result: Awaited<ReturnType<typeof sendMessage>>): SendOutcome {
    const label = formatAddress(to);
    return result.ok
      ? { ok: true, to: label, text, line, ms: result.ms }
      : { ok: false, to: label, text, line, failure: result.failure, error: result.error, ms: result.ms };
  }

  #logSent(outcome: SendOutcome): void {
    this.log?.write({
      at: new Date(this.#now()).toISOString(),
      direction: 'out',
      to: outcome.to,
      text: outcome.text,
      ok: outcome.ok,
      ...(outcome.ok ? {} : { error: outcome.error }),
    });
  }

  #onMessage({ message, remote }: ReceivedEvent): void {
    const now = this.#now();
    const verified = claimMatches(message.ip, remote.address, this.#ownAddresses);
    const remoteLabel = formatAddress({ ip: remote.address, port: remote.port });
    if (!verified && this.verify === 'strict') {
      this.#onRejected({
        reason: 'unverified',
        detail: `claims ${formatAddress(message)} but came from ${remote.address}`,
        remote,
        bytes: 0,
      });
      return;
    }
    const applied = this.registry.apply(message, now, verified || this.verify === 'off');
    const incoming: IncomingMessage = {
      kind: message.kind,
      from: formatAddress(message),
      name: message.name,
      text: message.text,
      remote: remoteLabel,
      at: new Date(now),
      verified,
      change: applied.change,
      peer: applied.peer,
    };
    // Logged before it is shown: a crash after this line loses nothing.
    this.log?.write({
      at: incoming.at.toISOString(),
      direction: 'in',
      kind: incoming.kind,
      from: incoming.from,
      name: incoming.name,
      text: incoming.text,
      remote: incoming.remote,
      verified,
    });
    this.emit('message', incoming);
  }

  #onRejected(event: RejectedEvent): void {
    this.emit('rejected', notice(event));
  }

  #onDropped(event: DroppedEvent): void {
    this.emit('dropped', notice(event));
  }
}

function notice(event: RejectedEvent | DroppedEvent): ConnectionNotice {
  return { remote: formatAddress({ ip: event.remote.address, port: event.remote.port }), reason: event.reason, detail: event.detail };
}
