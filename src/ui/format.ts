/**
 * What the human-facing modes show, as pure functions from events to lines:
 * incoming messages and notices with a timestamp, send results, the peers
 * table, quit progress and summary. Peer-controlled text goes through
 * `sanitizeForDisplay` here, so no caller can forget it. No I/O.
 */
import type { BroadcastSummary, Dropped, IncomingMessage, QuitSummary, Rejected, SendOutcome } from '../core/node.js';
import type { StoredMessage } from '../store/store.js';
import type { PeerEntry } from '../core/peer-registry.js';
import { sanitizeForDisplay as safe } from './sanitize.js';
import type { Theme } from './theme.js';
import { shortRoomPeer } from '../transport/room/peer-id.js';

/** `HH:MM:SS` in local time. */
export function clock(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

function stamp(at: Date, theme: Theme): string {
  return theme.timestamp(`[${clock(at)}]`);
}

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago". Negative ages (clock skew) read as 0 s. */
export function formatAgo(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** `127.0.0.1:5001 (Bob)`, both parts sanitised; the name in its own colour. */
/** A peer id as the screen shows it: `ip:port`, or a room peer's `@ab12cd34…` (issue 14). */
function shownId(id: string): string {
  return id.startsWith('@') ? shortRoomPeer(id) : safe(id);
}

function peer(name: string | null, address: string, theme: Theme): string {
  const shownAddress = theme.address(shownId(address));
  if (name === null) return shownAddress;
  return `${shownAddress} (${theme.name(safe(name), name)})`;
}

function unverifiedNote(message: IncomingMessage): string {
  return message.verified ? '' : ` (unverified: sent from ${safe(message.remote)})`;
}

/**
 * One line for a received message, worded as PROTOCOL.md's table has it: chat
 * as the original's `ip:port name message` (the name in its colour), control
 * words as notices ("Connected to peer ip:port (name)", "Peer ip:port (name)
 * disconnected").
 */
export function formatIncoming(message: IncomingMessage, theme: Theme): string {
  const head = stamp(message.at, theme);
  const note = theme.warning(unverifiedNote(message));
  if (message.change === 'protected') {
    return `${head} ${theme.warning(`ignored "${safe(message.text)}" from ${safe(message.remote)}: it claims to be ${safe(message.from)}, a verified peer`)}`;
  }
  if (message.change === 'full') {
    return `${head} ${theme.warning(`ignored "${safe(message.text)}" from ${safe(message.from)}: the peer list is full`)}`;
  }
  const sender = peer(message.name, message.from, theme);
  switch (message.kind) {
    case 'chat':
      return `${head} ${theme.address(shownId(message.from))} ${theme.name(safe(message.name), message.name)} ${safe(message.text)}${note}`;
    case 'hello':
      return `${head} ${theme.notice(message.change === 'added' ? 'New peer' : 'Hello again from peer')} ${sender}${note}`;
    case 'connect':
      return `${head} ${theme.notice('Connected to peer')} ${sender}${note}`;
    case 'exit':
      return `${head} ${theme.notice('Peer')} ${sender} ${theme.notice(message.change === 'removed' ? 'disconnected' : 'disconnected (was not in the peer list)')}${note}`;
  }
}

// A JSON string literal, as the parser quotes peer text in a rejection's detail.
const JSON_QUOTED = /"(?:[^"\\]|\\.)*"/g;

/**
 * A detail sentence in the one escape notation of the screen. The parser
 * quotes the offending value with JSON.stringify, which writes ESC as
 * `\u001b`; chat lines show it as `\x1b` (sanitize.ts). So each quoted part
 * is decoded and shown through the sanitiser like any peer text, and the
 * same byte reads the same in a message and in a rejection.
 */
export function displayDetail(detail: string): string {
  let out = '';
  let last = 0;
  for (const match of detail.matchAll(JSON_QUOTED)) {
    const index = match.index ?? 0;
    let inner: string;
    try {
      inner = JSON.parse(match[0]) as string;
    } catch {
      continue;
    }
    out += `${safe(detail.slice(last, index))}"${safe(inner)}"`;
    last = index + match[0].length;
  }
  return out + safe(detail.slice(last));
}

export interface NamedLineOptions {
  /** Show the sender's address, dimmed, after the name (default true; a conversation with one peer may leave it out). */
  readonly address?: boolean;
}

/**
 * The conversation view of a received message: chat as
 * `[12:04:31] Bob (127.0.0.1:5001): hi there`, the name first in its
 * colour and the address dimmed; control words and ignored claims as in
 * formatIncoming.
 */
export function formatIncomingNamed(message: IncomingMessage, theme: Theme, options: NamedLineOptions = {}): string {
  if (message.kind !== 'chat' || message.change === 'protected' || message.change === 'full') return formatIncoming(message, theme);
  const where = options.address === false ? '' : ` ${theme.notice(`(${safe(message.from)})`)}`;
  const note = theme.warning(unverifiedNote(message));
  return `${stamp(message.at, theme)} ${theme.name(safe(message.name), message.name)}${where}: ${safe(message.text)}${note}`;
}

/** Who a line of ours went to: the name when known, else the address. */
export interface OwnLineTarget {
  readonly name: string | null;
  readonly address: string;
}

/** One line for a message we sent: `[12:04:31] → Bob: see you at 5` (the address when the name is unknown). */
export function formatOwnLine(to: OwnLineTarget, text: string, at: Date, theme: Theme): string {
  const who = to.name === null ? theme.address(safe(to.address)) : theme.name(safe(to.name), to.name);
  return `${stamp(at, theme)} ${theme.accent('→')} ${who}: ${safe(text)}`;
}

/** One line for a message that could not be sent: `[12:04:31] ✗ not sent to Bob: <why>`. */
export function formatOwnFailure(to: OwnLineTarget, error: string, at: Date, theme: Theme): string {
  const who = to.name === null ? safe(to.address) : safe(to.name);
  return `${stamp(at, theme)} ${theme.error(`✗ not sent to ${who}: ${safe(error)}`)}`;
}

export function formatRejected(rejected: Rejected, at: Date, theme: Theme): string {
  return `${stamp(at, theme)} ${theme.notice(`✗ rejected input from ${safe(rejected.remote)}: ${safe(rejected.reason)}, ${displayDetail(rejected.detail)}`)}`;
}

export function formatDropped(dropped: Dropped, at: Date, theme: Theme): string {
  return `${stamp(at, theme)} ${theme.notice(`· connection from ${safe(dropped.remote)} closed without a message: ${displayDetail(dropped.detail)}`)}`;
}

export function formatWarning(text: string, at: Date, theme: Theme): string {
  return `${stamp(at, theme)} ${theme.warning(`! ${safe(text)}`)}`;
}

/** The result of greeting a bootstrap peer with `hello`. */
export function formatGreeting(outcome: SendOutcome, theme: Theme): string {
  return outcome.ok
    ? `${theme.success('Said hello to')} ${theme.address(safe(outcome.to))}`
    : theme.error(`Could not greet ${safe(outcome.to)}: ${safe(outcome.error)}`);
}

/** The result of menu 3, Connect: the line sent, or why it failed. */
export function formatConnectResult(outcome: SendOutcome, theme: Theme): string {
  return outcome.ok
    ? `${theme.success('Connected to')} ${theme.address(safe(outcome.to))} (sent: ${safe(outcome.line)})`
    : theme.error(`Could not connect to ${safe(outcome.to)}: ${safe(outcome.error)}`);
}

/** `Sent to ip:port: <the exact line sent>`, or, in red, why it failed. */
export function formatSent(outcome: SendOutcome, theme: Theme): string {
  // Rooms (issue 14): the receiver acknowledged it, which plain TCP cannot prove.
  const delivered = outcome.ok && outcome.delivered ? ` ${theme.success('(delivered ✓✓)')}` : '';
  if (outcome.ok && outcome.lines.length > 1) {
    return `${theme.success('Sent to')} ${theme.address(safe(outcome.to))} in ${outcome.lines.length} parts: ${safe(outcome.text)}${delivered}`;
  }
  if (outcome.ok) return `${theme.success('Sent to')} ${theme.address(safe(outcome.to))}: ${safe(outcome.line)}${delivered}`;
  return theme.error(`Could not send to ${safe(outcome.to)}: ${safe(outcome.error)}`);
}

/**
 * Terminal columns taken by `text` (already sanitised, no colour): wide East
 * Asian characters and most emoji take two, combining marks and joiners none.
 * An approximation good enough to line up a table.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (/\p{Mn}|\p{Me}|\u200d|\ufe0f/u.test(char)) continue;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1f300 && code <= 0x1faff) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** Cut `text` to at most `max` columns, marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (width + w > max - 1) break;
    out += char;
    width += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

const NAME_COLUMN_MAX = 24;

/**
 * How a peer came into the list: typed by the user (`manual`, bootstrap
 * peers too), `heard` from an incoming message, found on the `lan` (mDNS),
 * met in a room (`room:<name>`), or remembered from an earlier session
 * (`known`).
 */
export type PeerSource = 'manual' | 'heard' | 'lan' | 'known' | `room:${string}`;

/** What the table shows of a peer: the registry's entry, plus what later layers know. */
export interface PeerRow extends Pick<PeerEntry, 'address' | 'name' | 'connected' | 'lastSeen' | 'messages' | 'verified'> {
  /** Default: `heard` when it has sent us something, else `manual` (we added it by sending). */
  readonly source?: PeerSource;
  /** Set while our sends to it fail: since when (epoch ms) and the last reason. */
  readonly unreachable?: { readonly since: number; readonly reason: string };
}

export interface PeersTableOptions {
  /**
   * Terminal columns to fit (default: no limit). Lines never wrap: cells are
   * cut with `…`, then the least needed columns left out (Source, Messages,
   * Last heard), and as a last resort the line itself is cut.
   */
  readonly width?: number;
}

/** The mark beside an unverified peer, and the legend that explains it. */
export const UNVERIFIED_MARK = '!';
const UNVERIFIED_LEGEND = `${UNVERIFIED_MARK} unverified: its address is only a claim (the message came from another IP)`;

function peerState(peer: PeerRow): string {
  if (peer.unreachable) return `unreachable since ${clock(new Date(peer.unreachable.since))} (${safe(peer.unreachable.reason)})`;
  return peer.connected ? 'yes' : 'no';
}

interface Column {
  readonly title: string;
  /** Narrowest a cut may make it; undefined: never cut. */
  readonly min?: number;
  /** Cut no further than this before leaving columns out. */
  readonly comfortable?: number;
  /** Left out, in this order (lowest first), when even cutting is not enough. */
  readonly dropOrder?: number;
}

// Address, then Name, Connected, Last heard, Messages as before (scripts and
// tests read them in that order), the mark between Address and Name, Source last.
const COLUMNS: readonly Column[] = [
  { title: 'Address' },
  { title: '' },
  { title: 'Name', min: 4, comfortable: 10 },
  { title: 'Connected', min: 12, comfortable: 16 },
  { title: 'Last heard', dropOrder: 3 },
  { title: 'Messages', dropOrder: 2 },
  { title: 'Source', min: 6, comfortable: 8, dropOrder: 1 },
];
const CUTTABLE = COLUMNS.flatMap((column, index) => (column.min === undefined ? [] : [index]));
const GAP = 2;

/**
 * The peers table, most recently heard first: address, an unverified mark,
 * name, connected (or "unreachable since 12:04:31 (refused)"), last heard,
 * messages and source. "No active peers" when empty.
 */
export function formatPeersTable(peers: readonly PeerRow[], now: number, theme: Theme, options: PeersTableOptions = {}): string[] {
  const width = options.width;
  const fit = (text: string): string => (width === undefined ? text : truncate(text, width));
  if (peers.length === 0) return [theme.notice(fit('No active peers'))];
  // Most recently heard first: the list keeps least recent first.
  const rows = [...peers].reverse().map((peer) => ({
    cells: [
      // A room peer's 64-hex id is shown short (issue 14); any 8-hex prefix of it works in commands.
      shownId(peer.address),
      peer.verified ? '' : UNVERIFIED_MARK,
      peer.name === null ? '?' : truncate(safe(peer.name), NAME_COLUMN_MAX),
      peerState(peer),
      formatAgo(now - peer.lastSeen),
      String(peer.messages),
      safe(peer.source ?? (peer.messages > 0 ? 'heard' : 'manual')),
    ],
    key: peer.name,
    unreachable: peer.unreachable !== undefined,
  }));
  const header = COLUMNS.map((column) => column.title);
  const widths = COLUMNS.map((column, index) =>
    Math.max(displayWidth(column.title), ...rows.map((row) => displayWidth(row.cells[index] ?? ''))),
  );
  const unverified = peers.filter((peer) => !peer.verified).length;
  // The mark column only when there is something to mark.
  const shown = COLUMNS.map((_, index) => index !== 1 || unverified > 0);
  if (width !== undefined) shrink(widths, shown, width);

  const line = (cells: readonly string[], colour: (cell: string, column: number) => string): string => {
    const visible = cells.map((cell, index) => ({ cell, index })).filter(({ index }) => shown[index]);
    const last = visible[visible.length - 1]?.index;
    const render = (paint: boolean): string =>
      visible
        .map(({ cell, index }) => {
          const room = widths[index] ?? 0;
          const cut = truncate(cell, room);
          const padded = index === last ? cut : pad(cut, room);
          // Colour the text, not the padding, so a cut cell keeps its colour to the `…`.
          return paint ? colour(cut, index) + padded.slice(cut.length) : padded;
        })
        .join(' '.repeat(GAP))
        .trimEnd();
    const plain = render(false);
    // Nothing may wrap: if even the narrowest columns do not fit, cut the line itself (plain).
    if (width !== undefined && displayWidth(plain) > width) return truncate(plain, width);
    return render(true);
  };
  const count = `${peers.length} active peer${peers.length === 1 ? '' : 's'}${unverified > 0 ? ` (${unverified} unverified)` : ''}`;
  const lines = [
    theme.bold(fit(count)),
    line(header, (cell) => theme.notice(cell)),
    ...rows.map((row) =>
      line(row.cells, (cell, column) => {
        if (column === 1) return theme.warning(cell);
        if (column === 2 && row.key !== null) return theme.name(cell, row.key);
        if (column === 3 && row.unreachable) return theme.error(cell);
        return cell;
      }),
    ),
  ];
  if (unverified > 0) lines.push(theme.notice(fit(UNVERIFIED_LEGEND)));
  return lines;
}

/**
 * Make a row fit `width`: cut the widest cut-able column (Name, Connected,
 * Source) a column at a time down to a comfortable size; if that is not
 * enough, leave out Source, then Messages, then Last heard, re-fitting each
 * time from the natural widths; and only then cut to the narrowest.
 */
function shrink(widths: number[], shown: boolean[], width: number): void {
  const natural = [...widths];
  const total = (): number => {
    const visible = widths.filter((_, index) => shown[index]);
    return visible.reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, visible.length - 1);
  };
  const cutTo = (floors: readonly number[]): boolean => {
    for (let index = 0; index < widths.length; index += 1) widths[index] = natural[index] ?? 0;
    while (total() > width) {
      let widest = -1;
      for (const index of CUTTABLE) {
        if (!shown[index] || (widths[index] ?? 0) <= (floors[index] ?? 0)) continue;
        if (widest < 0 || (widths[index] ?? 0) > (widths[widest] ?? 0)) widest = index;
      }
      if (widest < 0) return false;
      widths[widest] = (widths[widest] ?? 0) - 1;
    }
    return true;
  };
  const comfortable = COLUMNS.map((column, index) => Math.min(natural[index] ?? 0, column.comfortable ?? Infinity));
  const narrowest = COLUMNS.map((column, index) => Math.min(natural[index] ?? 0, column.min ?? Infinity));
  if (cutTo(comfortable)) return;
  const droppable = COLUMNS.map((column, index) => ({ order: column.dropOrder, index }))
    .filter((entry): entry is { order: number; index: number } => entry.order !== undefined)
    .sort((a, b) => a.order - b.order);
  for (const { index } of droppable) {
    shown[index] = false;
    if (cutTo(comfortable)) return;
  }
  cutTo(narrowest);
}

/** The live quit line: "Notifying 37 peers… 35 ok, 2 failed". */
export function formatQuitProgress(ok: number, failed: number, total: number): string {
  if (total === 0) return 'No peers to notify.';
  return `Notifying ${total} peer${total === 1 ? '' : 's'}… ${ok} ok, ${failed} failed`;
}

const FAILURES_LISTED = 3;

/** The one-line goodbye: who was told, who could not be, and how long it took. */
export function formatQuitSummary(summary: QuitSummary): string {
  const total = summary.notified + summary.failed;
  const seconds = `${(summary.ms / 1000).toFixed(1)} s`;
  const skipped =
    summary.skipped > 0
      ? ` ${summary.skipped} unverified peer${summary.skipped === 1 ? ' was' : 's were'} not told (their address is only a claim).`
      : '';
  if (total === 0) return `Bye. No peers to notify.${skipped}`;
  const told = `Bye. Told ${summary.notified} of ${total} peer${total === 1 ? '' : 's'} you left (${seconds})`;
  if (summary.failed === 0) return `${told}.${skipped}`;
  const listed = summary.failures
    .slice(0, FAILURES_LISTED)
    // Each error already names its address.
    .map((failure) => (failure.ok ? safe(failure.to) : safe(failure.error)))
    .join('; ');
  const more = summary.failures.length > FAILURES_LISTED ? `; and ${summary.failures.length - FAILURES_LISTED} more` : '';
  return `${told}; ${summary.failed} failed: ${listed}${more}.${skipped}`;
}

/** The summary after each peer's own line: `Sent to 7 of 9 peers; 2 failed`. */
export function formatBroadcast(summary: BroadcastSummary, theme: Theme): string {
  const queuedCount = summary.queued ?? 0;
  const total = summary.sent + summary.failed + queuedCount;
  const head = `Sent to ${summary.sent} of ${total} peer${total === 1 ? '' : 's'}`;
  const failed = `${queuedCount > 0 ? `; ${queuedCount} queued` : ''}${summary.failed > 0 ? `; ${summary.failed} failed` : ''}`;
  const skipped = summary.skipped > 0 ? `; ${summary.skipped} unverified not told` : '';
  const line = total === 0 ? 'No peer to send to (only verified or reached peers are told).' : `${head}${failed}${skipped}`;
  return summary.failed > 0 || total === 0 ? theme.warning(line) : theme.success(line);
}

/** One stored message as a line: `[12:04:31] → Bob: text` or `[12:04:31] Bob: text`. */
export function formatStored(message: StoredMessage, theme: Theme): string {
  const who = safe(message.name ?? message.peer);
  const arrow = message.direction === 'out' ? `→ ${who}` : who;
  const status = message.direction === 'out' && message.status !== 'sent' && message.status !== 'delivered' ? ` (${message.status})` : '';
  return `${theme.notice(`[${clock(new Date(message.at))}]`)} ${arrow}: ${safe(message.text)}${theme.notice(status)}`;
}

/** /history and /search: a heading, then one line per message, newest last. */
export function formatHistory(messages: readonly StoredMessage[], what: string, theme: Theme): string[] {
  if (messages.length === 0) return [theme.notice(`No messages: ${what}.`)];
  return [theme.notice(`— ${what}: ${messages.length} message${messages.length === 1 ? '' : 's'} —`), ...messages.map((m) => formatStored(m, theme))];
}

