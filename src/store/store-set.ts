/**
 * Several stores as one: every record goes to each member (the --log export
 * stream, the history database), and queries go to the first member that
 * answers them. Members can join after start-up (the history opens once the
 * port is bound). Stored before shown holds for every member.
 */
import type { HistoryQuery, KnownPeer, MessageStatus, MessageStore, StoredMessage } from './store.js';

export class StoreSet implements MessageStore {
  readonly #members: MessageStore[] = [];
  onError: (error: NodeJS.ErrnoException) => void = () => undefined;

  constructor(members: readonly MessageStore[] = []) {
    for (const member of members) this.add(member);
  }

  get label(): string {
    return this.#members.map((member) => member.label).join(' and ') || 'no store';
  }

  get size(): number {
    return this.#members.length;
  }

  /** Add a member; its failures are reported through this set's onError. */
  add(member: MessageStore): void {
    member.onError = (error) => this.onError(error);
    this.#members.push(member);
  }

  append(record: StoredMessage): void | Promise<void> {
    let pending: Promise<void>[] | undefined;
    for (const member of this.#members) {
      const result = member.append(record);
      if (result !== undefined) (pending ??= []).push(result);
    }
    if (pending === undefined) return undefined;
    return Promise.all(pending).then(() => undefined);
  }

  async updateStatus(id: string, status: MessageStatus, error?: string): Promise<void> {
    await Promise.all(this.#members.map(async (member) => member.updateStatus?.(id, status, error)));
  }

  query(query: HistoryQuery): StoredMessage[] {
    for (const member of this.#members) {
      const found = member.query(query);
      if (found.length > 0) return found;
    }
    return [];
  }

  /** The first member that keeps a searchable history, if any. */
  get queryable(): MessageStore | undefined {
    return this.#members.find((member) => member.knownPeers !== undefined);
  }

  knownPeers(limit?: number): KnownPeer[] {
    return this.queryable?.knownPeers?.(limit) ?? [];
  }

  rememberPeer(peer: KnownPeer): void {
    for (const member of this.#members) member.rememberPeer?.(peer);
  }

  forgetPeer(id: string): void {
    for (const member of this.#members) member.forgetPeer?.(id);
  }

  recentOutgoingTexts(limit?: number): string[] {
    return this.queryable?.recentOutgoingTexts?.(limit) ?? [];
  }

  close(): void {
    for (const member of this.#members) member.close();
  }
}
