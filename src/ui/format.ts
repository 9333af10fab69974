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
function peer(name: string | null, address: string, theme: Theme): string {
  const shownAddress = theme.address(safe(address));
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
      return `${head} ${theme.address(safe(message.from))} ${theme.name(safe(message.name), message.name)} ${safe(message.text)}${note}`;
    case 'hello':
      return `${head} ${theme.notice(message.change === 'added' ? 'New peer' : 'Hello again from peer')} ${sender}${note}`;
    case 'connect':
      return `${head} ${theme.notice('Connected to peer')} ${sender}${note}`;
    case 'exit':
      return `${head} ${theme.notice('Peer')} ${sender} ${theme.notice(message.change === 'removed' ? 'disconnected' : 'disconnected (was not in the peer list)')}${note}`;
  }
}

export function formatRejected(rejected: Rejected, at: Date, theme: Theme): string {
  return `${stamp(at, theme)} ${theme.notice(`✗ rejected input from ${safe(rejected.remote)}: ${safe(rejected.reason)}, ${safe(rejected.detail)}`)}`;
}

export function formatDropped(dropped: Dropped, at: Date, theme: Theme): string {
  return `${stamp(at, theme)} ${theme.notice(`· connection from ${safe(dropped.remote)} closed without a message: ${safe(dropped.detail)}`)}`;
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
  if (outcome.ok) return `${theme.success('Sent to')} ${theme.address(safe(outcome.to))}: ${safe(outcome.line)}`;
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

/** The peers table (address, name, connected, last heard, messages), or "No active peers". */
export function formatPeersTable(peers: readonly PeerEntry[], now: number, theme: Theme): string[] {
  if (peers.length === 0) return [theme.notice('No active peers')];
  const header = ['Address', 'Name', 'Connected', 'Last heard', 'Messages'];
  // Most recently heard first: the list keeps least recent first.
  const rows = [...peers].reverse().map((peer) => ({
    cells: [
      safe(peer.address),
      peer.name === null ? '?' : truncate(safe(peer.name), NAME_COLUMN_MAX),
      peer.connected ? 'yes' : 'no',
      formatAgo(now - peer.lastSeen),
      String(peer.messages),
    ],
    key: peer.name,
  }));
  const widths = header.map((title, column) =>
    Math.max(displayWidth(title), ...rows.map((row) => displayWidth(row.cells[column] ?? ''))),
  );
  const line = (cells: readonly string[], colour: (cell: string, column: number) => string): string =>
    cells
      .map((cell, column) => colour(column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0), column))
      .join('  ')
      .trimEnd();
  const count = `${peers.length} active peer${peers.length === 1 ? '' : 's'}`;
  return [
    theme.bold(count),
    line(header, (cell) => theme.notice(cell)),
    ...rows.map((row) =>
      line(row.cells, (cell, column) => (column === 1 && row.key !== null ? theme.name(cell, row.key) : cell)),
    ),
  ];
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
  const total = summary.sent + summary.failed;
  const head = `Sent to ${summary.sent} of ${total} peer${total === 1 ? '' : 's'}`;
  const failed = summary.failed > 0 ? `; ${summary.failed} failed` : '';
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

