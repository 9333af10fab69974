/**
 * The menu and the conversation prompt as one source of commands. `1. Send
 * message` picks a recipient, then the conversation prompt stays open: each
 * Enter yields one `send` command per line (a paste of 3 lines is 3
 * messages, in order), `/` lines go through parseCommand, `/to` switches the
 * recipient here, Esc goes back to the menu keeping the draft.
 *
 * The session stays the single loop: it runs the command yielded and asks
 * for the next only once the result went through the view, which the
 * ResultWatch noted. So a failed send re-opens the prompt with its text (and
 * any lines of a paste not sent yet).
 */
import type { CommandSource, SessionContext } from '../../app/session.js';
import { checkIp, checkPort } from '../../config/schema.js';
import type { PeerSnapshot } from '../../core/node.js';
import { resolvePeer } from '../../core/resolve-peer.js';
import { formatAddress, parseAddress } from '../../protocol/address.js';
import { parseCommand, type Command } from '../../protocol/commands.js';
import { classify, trimWhitespace, type ControlWord } from '../../protocol/line.js';
import { DEFAULT_RESOLVE_TIMEOUT_MS, parseHostPort, resolveHost } from '../../transport/tcp/resolve-host.js';
import type { PeerId } from '../../transport/transport.js';
import { clock, UNVERIFIED_MARK } from '../format.js';
import type { Ui } from '../interactive.js';
import { MENU, type MenuAction } from './menu.js';
import { QuitRequested } from '../prompt-host.js';
import { conversationPrompt, draftOf, EMPTY_DRAFT, type ConversationOutcome, type DraftState } from '../prompts/conversation.js';
import { CANCELLED, choose, confirmPrompt, textPrompt, type Choice, type TextState } from '../prompts.js';
import { sanitizeForDisplay as safe } from '../sanitize.js';
import type { ResultWatch } from './result-watch.js';

const CONTROL_EFFECT: Readonly<Record<ControlWord, string>> = {
  hello: 'the peer will add you to its list of active peers',
  connect: 'the peer will mark you as connected',
  exit: 'the peer will remove you from its list of active peers',
};

/** Who the conversation prompt talks to: one peer, or everyone (`all` commands). */
export type Recipient = { readonly kind: 'peer'; readonly id: PeerId } | { readonly kind: 'everyone' };

const EVERYONE: Recipient = { kind: 'everyone' };
const OTHER = Symbol('another address');
const ALL = Symbol('everyone');

export interface ConversationDeps extends Ui {
  readonly context: SessionContext;
  readonly watch: ResultWatch;
}

function keyOf(to: Recipient): string {
  return to.kind === 'everyone' ? '*' : to.id;
}

/** A picker's label: name (address), the unverified mark, unreachable with reason and since when. */
export function peerChoiceLabel(peer: PeerSnapshot): string {
  const who = peer.name === null ? safe(peer.address) : `${safe(peer.name)} (${safe(peer.address)})`;
  const mark = peer.verified ? '' : ` ${UNVERIFIED_MARK} unverified`;
  const away = peer.unreachable ? ` - unreachable since ${clock(new Date(peer.unreachable.since))} (${safe(peer.unreachable.reason)})` : '';
  return `${who}${mark}${away}`;
}

export class Conversation {
  readonly #deps: ConversationDeps;
  #talking: Recipient | undefined;
  #lastPeer: PeerId | undefined;
  #menuActive = 0;
  readonly #drafts = new Map<string, DraftState>();
  /** Lines of the last Enter still to send, and the one yielded whose result is awaited. */
  #queue: string[] = [];
  /** The peers table was just shown from the menu: offer to forget one. */
  #afterPeers = false;
  #awaiting: { readonly to: Recipient; readonly text: string } | undefined;
  readonly #sentThisRun: string[] = [];

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
  }

  source(): CommandSource {
    return {
      next: async () => {
        try {
          return await this.#next();
        } catch (error) {
          if (error instanceof QuitRequested) return undefined;
          throw error;
        }
      },
      close: () => this.#deps.host.close(),
    };
  }

  #name(id: PeerId): string | null {
    return this.#deps.context.peers().find((peer) => peer.address === id)?.name ?? null;
  }

  #label(to: Recipient): string {
    return to.kind === 'everyone' ? 'Everyone' : (this.#name(to.id) ?? to.id);
  }

  #print(text: string): void {
    this.#deps.host.print(this.#deps.theme.notice(text));
  }

  async #next(): Promise<Command> {
    for (;;) {
      this.#settle();
      const text = this.#queue.shift();
      if (text !== undefined && this.#talking !== undefined) {
        this.#awaiting = { to: this.#talking, text };
        this.#deps.watch.begin();
        return this.#talking.kind === 'everyone' ? { type: 'all', text } : { type: 'send', to: this.#talking.id, text };
      }
      if (this.#afterPeers) {
        this.#afterPeers = false;
        const command = await this.#forgetFlow();
        if (command !== undefined) return command;
        continue;
      }
      if (this.#talking !== undefined) {
        const command = await this.#converse(this.#talking);
        if (command !== undefined) return command;
        continue;
      }
      const command = await this.#menu();
      if (command !== undefined) return command;
    }
  }

  /** The result of the send yielded last: on failure its text and the lines after it become the draft again. */
  #settle(): void {
    const awaiting = this.#awaiting;
    if (awaiting === undefined) return;
    this.#awaiting = undefined;
    const { watch } = this.#deps;
    const failed = awaiting.to.kind === 'everyone' ? watch.result().errors.length > 0 : watch.failed();
    if (failed) {
      this.#drafts.set(keyOf(awaiting.to), draftOf([awaiting.text, ...this.#queue].join('\n')));
      this.#queue = [];
      return;
    }
    this.#sentThisRun.push(awaiting.text);
    if (awaiting.to.kind === 'peer') this.#lastPeer = awaiting.to.id;
  }

  #history(): string[] {
    const stored = this.#deps.context.recentOutgoing?.() ?? [];
    const thisRun = new Set(this.#sentThisRun);
    return [...stored.filter((text) => !thisRun.has(text)), ...this.#sentThisRun];
  }

  /** Peers quit would tell: verified or reached (as the node counts them). */
  #quitCount(): number {
    return this.#deps.context.peers().filter((peer) => peer.verified || peer.reached).length;
  }

  /** One opening of the conversation prompt; a command to yield, or undefined to go round again. */
  async #converse(to: Recipient): Promise<Command | undefined> {
    const { host, theme } = this.#deps;
    const key = keyOf(to);
    let state = this.#drafts.get(key) ?? EMPTY_DRAFT;
    this.#drafts.delete(key);
    const label = this.#label(to);
    const history = this.#history();
    const outcome = await host.ask<ConversationOutcome>((prompt) =>
      conversationPrompt(
        {
          to: label,
          theme,
          history,
          initial: state,
          onState: (next) => {
            state = next;
          },
          onAnswer: (answer) => prompt.answered(answer),
        },
        prompt.context,
      ),
    );
    switch (outcome.type) {
      case 'send': {
        const lines = [...outcome.lines];
        const control = lines.map((line) => classify(line)).find((kind): kind is ControlWord => kind !== 'chat');
        if (control !== undefined) {
          const sure = await this.#confirm(`"${control}" is a control word: ${CONTROL_EFFECT[control]}. Send it anyway?`);
          if (!sure) {
            this.#print('Not sent; the draft is kept.');
            this.#drafts.set(key, draftOf(lines.join('\n')));
            return undefined;
          }
        }
        this.#queue = lines;
        return undefined;
      }
      case 'command':
        return this.#slash(outcome.line);
      case 'back':
        if (outcome.draft !== undefined) this.#drafts.set(key, outcome.draft);
        if (outcome.discarded !== undefined) this.#print('Draft discarded.');
        this.#talking = undefined;
        return undefined;
      case 'arm-quit': {
        const n = this.#quitCount();
        this.#print(`(press Ctrl+C again to quit and tell ${n} peer${n === 1 ? '' : 's'})`);
        this.#drafts.set(key, outcome.state);
        return undefined;
      }
      case 'quit':
        return { type: 'quit' };
    }
  }

  /** A `/` line of the conversation prompt: `/to` is handled here, the rest goes to the session. */
  async #slash(line: string): Promise<Command | undefined> {
    const command = parseCommand(line);
    if (command.type === 'none') return undefined;
    if (command.type !== 'to') return command;
    const word = command.to.toLowerCase();
    if (word === 'everyone' || word === '*') {
      this.#talking = EVERYONE;
      this.#print('Now talking to everyone.');
      return undefined;
    }
    const id = await this.#resolve(command.to);
    // A /to that did not resolve comes back as the draft, to fix: the next Enter must not go to the old recipient unseen.
    if (id === undefined) {
      if (this.#talking !== undefined) this.#drafts.set(keyOf(this.#talking), draftOf(line));
      return undefined;
    }
    this.#talking = { kind: 'peer', id };
    this.#lastPeer = id;
    const name = this.#name(id);
    this.#print(`Now talking to ${name === null ? safe(id) : `${safe(name)} (${safe(id)})`}.`);
    return undefined;
  }

  /** A peer as typed (name, prefix, ip:port, host:port) to its id; one error line and undefined otherwise. */
  async #resolve(typed: string): Promise<PeerId | undefined> {
    const found = resolvePeer(typed, this.#deps.context.peers());
    if (found.ok) return found.peer.address;
    if (found.address) return formatAddress(found.address);
    const hostPort = parseHostPort(typed);
    if (found.reason === 'none' && hostPort.ok && !hostPort.value.literal) {
      const resolved = await resolveHost(typed, { timeoutMs: DEFAULT_RESOLVE_TIMEOUT_MS });
      if (resolved.ok) return formatAddress(resolved.address);
      this.#deps.host.print(this.#deps.theme.error(safe(resolved.message)));
      return undefined;
    }
    this.#deps.host.print(this.#deps.theme.error(safe(found.message)));
    return undefined;
  }

  // -------------------------------------------------------------------------
  // Menu

  async #menu(): Promise<Command | undefined> {
    const { host, theme } = this.#deps;
    const action = await host.ask((prompt) =>
      choose(
        {
          message: 'Choose an option',
          theme,
          choices: MENU,
          initial: this.#menuActive,
          onState: (index) => {
            this.#menuActive = index;
          },
          onAnswer: (value) => prompt.answered(value),
        },
        prompt.context,
      ),
    );
    if (action === CANCELLED) return undefined;
    this.#menuActive = MENU.findIndex((item) => item.value === action);
    return this.#flow(action);
  }

  async #flow(action: MenuAction): Promise<Command | undefined> {
    switch (action) {
      case 'send': {
        const to = await this.#pick('Send to', { other: true, everyone: true });
        if (to !== undefined) {
          this.#talking = to;
          if (to.kind === 'peer') this.#lastPeer = to.id;
        }
        return undefined;
      }
      case 'peers':
        this.#afterPeers = this.#deps.context.peers().length > 0;
        return { type: 'peers' };
      case 'connect': {
        const to = await this.#pick('Connect to', { other: false, everyone: false });
        return to?.kind === 'peer' ? { type: 'connect', to: to.id } : undefined;
      }
      case 'all': {
        const text = await this.#askText('Message to all peers', (value) =>
          trimWhitespace(value) === '' ? 'Type a message, or press Esc to go back.' : undefined,
        );
        return text === CANCELLED ? undefined : { type: 'all', text };
      }
      case 'history':
        return this.#historyFlow();
      case 'quit':
        return { type: 'quit' };
    }
  }

  /** After the peers table: back (Enter, Esc), or pick a peer to forget. */
  async #forgetFlow(): Promise<Command | undefined> {
    const { host, theme } = this.#deps;
    const choices: Choice<'back' | 'forget'>[] = [
      { key: '0', label: 'Back to the menu', value: 'back' },
      { key: 'f', label: 'Forget a peer…', value: 'forget' },
    ];
    const action = await host.ask((prompt) =>
      choose({ message: 'Peers', theme, choices, onAnswer: (v) => prompt.answered(v) }, prompt.context),
    );
    if (action !== 'forget') return undefined;
    const to = await this.#pick('Forget', { other: false, everyone: false });
    return to?.kind === 'peer' ? { type: 'forget', peer: to.id } : undefined;
  }

  async #historyFlow(): Promise<Command | undefined> {
    const { host, theme, context } = this.#deps;
    type Pick = { readonly kind: 'all' } | { readonly kind: 'search' } | { readonly kind: 'peer'; readonly peer: PeerSnapshot };
    const choices: Choice<Pick>[] = [
      { key: 'a', label: 'All peers', value: { kind: 'all' } },
      ...context.peers().map((peer, index) => ({ key: String(index + 1), label: peerChoiceLabel(peer), value: { kind: 'peer' as const, peer } })),
      { key: 's', label: 'Search words…', value: { kind: 'search' } },
    ];
    let active = 0;
    const picked = await host.ask((prompt) =>
      choose(
        { message: 'History of', theme, choices, initial: active, onState: (i) => (active = i), onAnswer: (v) => prompt.answered(v) },
        prompt.context,
      ),
    );
    if (picked === CANCELLED) return undefined;
    if (picked.kind === 'all') return { type: 'history' };
    if (picked.kind === 'peer') return { type: 'history', peer: picked.peer.address };
    const words = await this.#askText('Search for', (value) => (trimWhitespace(value) === '' ? 'Type some words, or press Esc to go back.' : undefined));
    return words === CANCELLED ? undefined : { type: 'search', words: trimWhitespace(words) };
  }

  /**
   * Pick a recipient: peers in the registry's order (first seen first,
   * newcomers at the end), the default the peer last talked to; the list
   * redraws when a peer joins or leaves. Undefined: go back.
   */
  async #pick(message: string, allow: { other: boolean; everyone: boolean }): Promise<Recipient | undefined> {
    const { host, theme, context } = this.#deps;
    type Value = PeerSnapshot | typeof OTHER | typeof ALL;
    let activeKey: string | undefined = this.#lastPeer;
    const off = context.onPeersChanged?.(() => host.refresh());
    let picked: Value | typeof CANCELLED;
    try {
      if (context.peers().length === 0 && !allow.other) {
        host.print(theme.notice('No active peers. Send a message or wait for someone to say hello.'));
        return undefined;
      }
      if (context.peers().length === 0) {
        const id = await this.#askAddress();
        return id === undefined ? undefined : { kind: 'peer', id };
      }
      picked = await host.ask((prompt) => {
        const peers = context.peers();
        const choices: Choice<Value>[] = peers.map((peer, index) => ({ key: String(index + 1), label: peerChoiceLabel(peer), value: peer }));
        if (allow.everyone && peers.length > 1) choices.push({ key: 'e', label: 'Everyone', value: ALL });
        if (allow.other) choices.push({ key: '0', label: 'Another address…', value: OTHER });
        const keyOfChoice = (value: Value): string => (value === OTHER ? 'other' : value === ALL ? '*' : value.address);
        const initial = Math.max(0, choices.findIndex((choice) => keyOfChoice(choice.value) === activeKey));
        return choose(
          {
            message,
            theme,
            choices,
            initial,
            onState: (index) => {
              const choice = choices[index];
              if (choice) activeKey = keyOfChoice(choice.value);
            },
            onAnswer: (value) => prompt.answered(value),
          },
          prompt.context,
        );
      });
    } finally {
      off?.();
    }
    if (picked === CANCELLED) return undefined;
    if (picked === ALL) return EVERYONE;
    if (picked === OTHER) {
      const id = await this.#askAddress();
      return id === undefined ? undefined : { kind: 'peer', id };
    }
    return { kind: 'peer', id: picked.address };
  }

  /**
   * An address: an IP or a host name, then the port (`ip:port`,
   * `host:port` or a name of a known peer in the first answer skip it). Esc at
   * the port goes back to the address; a name that does not resolve says so
   * and asks again.
   */
  async #askAddress(): Promise<PeerId | undefined> {
    for (;;) {
      const first = await this.#askText(
        'Peer address',
        (value) => {
          const text = trimWhitespace(value);
          if (parseAddress(text).ok || parseHostPort(text).ok || checkIp(text).ok) return undefined;
          if (parseHostPort(`${text}:1`).ok) return undefined;
          return `${JSON.stringify(text)} is not an IP address or host name (e.g. 127.0.0.1, localhost, or ip:port).`;
        },
        '(e.g. 127.0.0.1, localhost, or ip:port; Esc to go back)',
      );
      if (first === CANCELLED) return undefined;
      const text = trimWhitespace(first);
      const whole = parseAddress(text);
      if (whole.ok) return formatAddress(whole.address);
      let typed = text;
      if (!parseHostPort(text).ok) {
        const portAnswer = await this.#askText('Peer port', (value) => {
          const checked = checkPort(value);
          if (checked.ok && checked.value === 0) return "Give the peer's port, 1 to 65535.";
          return checked.ok ? undefined : checked.problem;
        });
        // Esc at the port: back one step, to the address.
        if (portAnswer === CANCELLED) continue;
        const ip = checkIp(text);
        const host = ip.ok && ip.value.includes(':') ? `[${ip.value}]` : text;
        typed = `${host}:${trimWhitespace(portAnswer)}`;
      }
      const literal = parseAddress(typed);
      if (literal.ok) return formatAddress(literal.address);
      const resolved = await resolveHost(typed, { timeoutMs: DEFAULT_RESOLVE_TIMEOUT_MS });
      if (resolved.ok) return formatAddress(resolved.address);
      this.#deps.host.print(this.#deps.theme.error(safe(resolved.message)));
    }
  }

  async #askText(message: string, validate: (value: string) => string | undefined, hint = '(Esc to go back)'): Promise<string | typeof CANCELLED> {
    const { host, theme } = this.#deps;
    let draft: TextState | undefined;
    return host.ask((prompt) =>
      textPrompt(
        {
          message,
          hint,
          theme,
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

  async #confirm(message: string): Promise<boolean> {
    const { host, theme } = this.#deps;
    let typed = '';
    return host.ask((prompt) =>
      confirmPrompt(
        {
          message,
          theme,
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
}
