/**
 * The outbox in the session (issue 13): a send that fails because the peer
 * cannot be reached is kept in a persistent outbox and retried, with a
 * back-off of 1 s, 2 s, 4 s … capped at 60 s, and at once on a sign of life
 * from that peer. It answers `send`, `all`, `outbox` and `cancel` before the
 * default handling.
 *
 * Why the first attempt goes straight through the node: a send to a peer
 * that is up behaves exactly as without an outbox (same events, same store
 * record); only a failure that means "the peer is away" turns into a queued
 * entry, with that send as its first attempt. The message is journaled, in
 * flight, before that attempt starts (`OutboxRunner.claim`), so p2pchat
 * killed in the middle of it finds the message queued at the next start
 * instead of losing it. While a peer has messages waiting, a new send to it
 * is queued behind them, so nothing overtakes.
 *
 * Signs of life: any message from a peer (node `message` events, a hello
 * included) calls `wake(peer)`, and so does the node's `alive` event: a LAN
 * announcement or a room join (node.remember).
 */
import os from 'node:os';
import type { Options } from '../../config/schema.js';
import type { SendOutcome } from '../../core/node.js';
import type { OutboxEntry, OutboxMessage } from '../../core/outbox.js';
import { OutboxRunner } from '../../core/outbox-runner.js';
import { classify, trimWhitespace } from '../../protocol/line.js';
import type { Command } from '../../protocol/commands.js';
import { defaultOutboxPath, openOutboxInSlices, type OutboxJournal } from '../../store/outbox-journal.js';
import type { StoredMessage } from '../../store/store.js';
import type { PeerId, SendFailure } from '../../transport/transport.js';
import type { Feature, FeatureContext } from '../feature.js';
import { resolveTarget } from '../run-command.js';

/** The commands the outbox answers (each waits for the outbox to be loaded). */
const HANDLED: ReadonlySet<Command['type']> = new Set<Command['type']>(['send', 'all', 'outbox', 'cancel']);

/** Peers whose sign of life is kept while the outbox loads. */
const MAX_WAKES_WHILE_LOADING = 10_000;

/** Failures that mean the peer is away, so trying later can work. */
const AWAY: ReadonlySet<string> = new Set<SendFailure>(['refused', 'timeout', 'unreachable', 'reset']);

export interface OutboxFeatureOptions {
  /** The journal file; default `defaultOutboxPath(port)` under the data folder. Null: memory only. */
  readonly path?: string | null;
  readonly env?: NodeJS.ProcessEnv;
}

export class OutboxFeature implements Feature {
  readonly name = 'outbox';
  readonly #options: Options;
  readonly #path: string | null | undefined;
  readonly #env: NodeJS.ProcessEnv;
  #runner: OutboxRunner | undefined;
  #journal: OutboxJournal | undefined;
  #loading: Promise<void> | undefined;
  readonly #woken = new Set<PeerId>();

  constructor(options: Options, feature: OutboxFeatureOptions = {}) {
    this.#options = options;
    this.#path = feature.path;
    this.#env = feature.env ?? process.env;
  }

  /** The runner, once started (tests and benches look at its outbox). */
  get runner(): OutboxRunner | undefined {
    return this.#runner;
  }

  /**
   * A sign of life from `peer`: its waiting messages are tried at once and
   * its back-off starts again from 1 s. Called for every message from the
   * peer; LAN discovery calls it for an announcement. Returns true when a
   * message became due. Harmless for a peer with nothing queued.
   */
  wake(peer: PeerId): boolean {
    if (this.#runner) return this.#runner.wake(peer);
    // Still loading: remembered (bounded), and applied once the outbox is replayed.
    if (this.#loading && this.#woken.size < MAX_WAKES_WHILE_LOADING) this.#woken.add(peer);
    return false;
  }

  /**
   * Replay the journal in slices while the chat already runs: a long outbox
   * (100,000 messages take a few hundred ms) does not hold up start-up. Every
   * outbox command, and quit, waits for it; signs of life in the meantime
   * are kept and applied after.
   */
  start(context: FeatureContext): void {
    const { node } = context;
    node.on('message', (message) => this.wake(message.from));
    // A LAN announcement or a room join is a sign of life too (node.remember).
    node.on('alive', (peer) => this.wake(peer));
    this.#loading = this.#load(context).catch((error: unknown) => {
      context.view.warning(`the outbox could not start: ${error instanceof Error ? error.message : String(error)}; sends are not queued`);
    });
  }

  /** Resolves once the outbox is loaded (or failed to): what commands and quit wait for. */
  get loaded(): Promise<void> {
    return this.#loading ?? Promise.resolve();
  }

  async #load(context: FeatureContext): Promise<void> {
    const { node, view, stores } = context;
    const file = this.#path === undefined ? defaultOutboxPath(node.port, this.#env, os.homedir()) : this.#path;
    let writeWarned = false;
    const opened = await openOutboxInSlices({
      path: file,
      ttlMs: this.#options.outboxTtl,
      onError: (error) => {
        if (writeWarned) return;
        writeWarned = true;
        view.warning(`${error.message}; the outbox goes on in memory only`);
      },
    });
    if (opened.warning) view.warning(opened.warning);
    this.#journal = opened.journal;
    const runner = new OutboxRunner(opened.outbox, async (entry) => {
      const outcome = await node.send(entry.to, entry.text, { id: entry.id, retry: true });
      if (outcome.ok) {
        this.#lastOutcome.set(entry.id, outcome);
        return { ok: true };
      }
      return { ok: false, failure: outcome.failure === 'invalid' ? 'error' : outcome.failure, error: outcome.error };
    });
    runner.on('sending', (event) => {
      // The first attempt of a fresh send was shown by the command itself.
      if (event.attempt > 1) view.sending(event);
    });
    runner.on('queued', (event) => {
      if (!AWAY.has(event.failure)) {
        // Not a matter of waiting (a message that cannot be sent at all): give up now, say why.
        runner.cancel(event.id);
        void stores.updateStatus(event.id, 'failed', event.error);
        view.gaveUp({ id: event.id, to: event.to, text: event.text, attempts: event.attempt, error: event.error });
        return;
      }
      view.queued(event);
    });
    runner.on('sent', (event) => {
      const outcome = this.#lastOutcome.get(event.id);
      this.#lastOutcome.delete(event.id);
      if (outcome) view.sent({ ...outcome, attempts: event.attempts }, 'send');
    });
    runner.on('gave-up', (event) => {
      void stores.updateStatus(event.id, 'gave-up', event.error);
      view.gaveUp(event);
    });
    this.#runner = runner;
    const inDoubt = opened.replay?.inDoubt.length ?? 0;
    if (inDoubt > 0) {
      view.warning(`${inDoubt} queued message${inDoubt === 1 ? ' was' : 's were'} being sent when p2pchat last stopped; ${inDoubt === 1 ? 'it' : 'they'} may arrive twice`);
    }
    if (opened.outbox.size > 0) view.notice(`The outbox holds ${opened.outbox.size} message${opened.outbox.size === 1 ? '' : 's'} from an earlier run; resuming.`);
    runner.start();
    for (const peer of this.#woken) runner.wake(peer);
    this.#woken.clear();
  }

  readonly #lastOutcome = new Map<string, SendOutcome>();

  async command(command: Command, context: FeatureContext): Promise<boolean> {
    if (!HANDLED.has(command.type)) return false;
    await this.loaded;
    const runner = this.#runner;
    if (!runner) return false;
    switch (command.type) {
      case 'send': {
        const target = await resolveTarget(command.to, context.node);
        if (!target.ok) {
          context.view.error(target.message);
          return true;
        }
        await this.#send(target.id, command.text, context);
        return true;
      }
      case 'all':
        await this.#sendToAll(command.text, context);
        return true;
      case 'outbox':
        context.view.outbox(runner.outbox.list(), Date.now());
        return true;
      case 'cancel': {
        const result = runner.cancel(command.id);
        if (!result.ok) {
          context.view.error(result.detail);
          return true;
        }
        await context.stores.updateStatus(result.entry.id, 'cancelled');
        context.view.notice(`Cancelled ${result.entry.id} to ${result.entry.to}: ${result.entry.text}`);
        return true;
      }
      default:
        return false;
    }
  }

  /** Stop starting attempts; the ones in flight settle and are recorded before the exit fan-out. */
  async beforeQuit(): Promise<void> {
    await this.loaded;
    await this.#runner?.close();
  }

  stop(): void {
    this.#journal?.close();
  }

  /** Whether `to` has messages waiting (a new one must go behind them). */
  #holding(to: PeerId): boolean {
    return (this.#runner?.outbox.queueOf(to).length ?? 0) > 0;
  }

  async #send(to: PeerId, text: string, context: FeatureContext): Promise<void> {
    const { node, view } = context;
    const body = trimWhitespace(text);
    if (this.#holding(to) && body !== '') {
      this.#queueBehind(node.newMessageId(), to, text, context);
      return;
    }
    const id = node.newMessageId();
    // Journaled before the attempt; an exit, an empty or malformed line, or a full outbox is sent (or refused) as without one.
    const claimed = body !== '' && (this.#runner as OutboxRunner).claim({ id, to, kind: classify(body), text: body, line: node.lineFor(body) }).ok;
    const outcome = await node.send(to, text, { id });
    if (!claimed) {
      if (outcome.ok || !AWAY.has(outcome.failure)) view.sent(outcome, 'send');
      else this.#queueFailed(outcome, context);
      return;
    }
    this.#settleClaimed(outcome, outcome.id, context, 'send', true);
  }

  /**
   * The first attempt of a claimed message settled: sent, queued for a retry
   * (a peer away), or failed for good. Returns which, for /all's counts.
   */
  #settleClaimed(outcome: SendOutcome, id: string, context: FeatureContext, via: 'send' | 'all', stored: boolean): 'sent' | 'queued' | 'failed' {
    const runner = this.#runner as OutboxRunner;
    if (outcome.ok) {
      runner.settle(id, { ok: true }, false);
      context.view.sent(outcome, via);
      return 'sent';
    }
    const failure = outcome.failure as SendFailure;
    const away = AWAY.has(failure);
    const retryInMs = runner.settle(id, { ok: false, failure, error: outcome.error }, away);
    if (!away || retryInMs === undefined) {
      context.view.sent(outcome, via);
      return 'failed';
    }
    const message: OutboxMessage = { id, to: outcome.to, kind: classify(outcome.text), text: outcome.text, line: outcome.line };
    if (stored) void context.stores.updateStatus(id, 'queued', outcome.error);
    else void context.stores.append(this.#record(message, context));
    context.view.queued({ id, to: outcome.to, text: outcome.text, attempt: 1, retryInMs, error: outcome.error, failure });
    return 'queued';
  }

  /** A message behind others to the same peer: queued without being tried, kept in the store as queued. */
  #queueBehind(id: string, to: PeerId, text: string, context: FeatureContext): boolean {
    const runner = this.#runner as OutboxRunner;
    const body = trimWhitespace(text);
    const message: OutboxMessage = { id, to, kind: classify(body), text: body, line: context.node.lineFor(body) };
    const result = runner.enqueue(message);
    if (!result.ok) {
      context.view.error(result.detail);
      return false;
    }
    void context.stores.append(this.#record(message, context));
    context.view.queued({ id, to, text: body, attempt: 0, retryInMs: 0, error: `behind ${result.ahead} earlier message${result.ahead === 1 ? '' : 's'}`, failure: 'error' });
    return true;
  }

  /** A send that failed because the peer is away: queued with that failure as its first attempt. */
  #queueFailed(outcome: Extract<SendOutcome, { ok: false }>, context: FeatureContext, id: string = outcome.id, stored = true): boolean {
    const runner = this.#runner as OutboxRunner;
    const outbox = runner.outbox;
    const failure = outcome.failure as SendFailure;
    const message: OutboxMessage = { id, to: outcome.to, kind: classify(outcome.text), text: outcome.text, line: outcome.line };
    const result = runner.enqueue(message);
    if (!result.ok) {
      context.view.sent(outcome, 'send');
      return false;
    }
    // Record the attempt that was just made, in the same turn: the runner's
    // pump (next turn) then sees a failed head and waits its back-off.
    let retryInMs = 0;
    if (result.ahead === 0 && outbox.markSending(id)) retryInMs = outbox.markFailed(id, outcome.error, Date.now(), failure) ?? 0;
    if (stored) void context.stores.updateStatus(outcome.id, 'queued', outcome.error);
    else void context.stores.append(this.#record(message, context));
    context.view.queued({ id, to: outcome.to, text: outcome.text, attempt: 1, retryInMs, error: outcome.error, failure });
    return true;
  }

  #record(message: OutboxMessage, context: FeatureContext): StoredMessage {
    return {
      v: 1,
      id: message.id,
      at: Date.now(),
      direction: 'out',
      peer: message.to,
      name: context.node.peer(message.to)?.name ?? null,
      kind: message.kind,
      text: message.text,
      status: 'queued',
      line: message.line,
    };
  }

  /**
   * /all: every peer quit would tell, concurrently under the fan-out; a peer
   * with messages waiting gets its copy queued behind them, a peer that is
   * away gets it queued. Each peer's own event first, then the summary.
   */
  async #sendToAll(text: string, context: FeatureContext): Promise<void> {
    const { node, view } = context;
    let queued = 0;
    let failed = 0;
    let sent = 0;
    // Each peer's copy needs its own outbox id: the broadcast's id names them all.
    const copyId = (id: string, to: PeerId): string => `${id}@${to}`;
    const claimed = new Set<string>();
    const summary = await node.sendToAll(
      text,
      (outcome) => {
        const copy = copyId(outcome.id, outcome.to);
        if (claimed.has(copy)) {
          const settled = this.#settleClaimed(outcome, copy, context, 'all', false);
          if (settled === 'sent') sent += 1;
          else if (settled === 'queued') queued += 1;
          else failed += 1;
        } else if (outcome.ok) {
          sent += 1;
          view.sent(outcome, 'all');
        } else if (AWAY.has(outcome.failure) && this.#queueFailed(outcome, context, copy, false)) {
          queued += 1;
        } else {
          failed += 1;
          view.sent(outcome, 'all');
        }
      },
      (to, message) => {
        const copy = copyId(message.id, to);
        if (!this.#holding(to)) {
          // Journaled before its attempt, as a single send is.
          if ((this.#runner as OutboxRunner).claim({ id: copy, to, kind: message.kind, text: message.text, line: message.line }).ok) claimed.add(copy);
          return false;
        }
        if (this.#queueBehind(copy, to, message.text, context)) queued += 1;
        else failed += 1;
        return true;
      },
    );
    view.broadcast({ ...summary, sent, queued, failed });
  }
}

/** The factory `features/index.ts` registers: the outbox is always on. */
export function createOutboxFeature(options: Options): OutboxFeature {
  return new OutboxFeature(options);
}

export type { OutboxEntry };
