/**
 * The interactive terminal's View: every line goes through the PromptHost,
 * so it appears above the open prompt without garbling what is being typed.
 */
import type { SendCause, View } from '../app/view.js';
import type { SendOutcome } from '../core/node.js';
import {
  formatBroadcast,
  formatHistory,
  formatConnectResult,
  formatDropped,
  formatGreeting,
  formatIncomingNamed,
  formatOwnFailure,
  formatOwnLine,
  formatPeersTable,
  formatQuitProgress,
  formatQuitSummary,
  formatRejected,
  formatReplay,
  formatWarning,
} from './format.js';
import { formatDiscovered, formatLost, lanRejections } from './discovery-format.js';
import { listeningLines, localAddresses } from './listening-lines.js';
import type { PromptHost } from './prompt-host.js';
import { formatRoomJoined, formatRoomPeer } from './room-format.js';
import { sanitizeForDisplay as safe } from './sanitize.js';
import type { Theme } from './theme.js';
import { formatGaveUp, formatOutbox, formatQueued, formatRetrySent, formatSending } from './outbox-format.js';

// Redraw the quit progress line at most this often (a thousand peers answer fast).
const PROGRESS_REDRAW_MS = 50;

export interface InteractiveViewOptions {
  /** The name of a peer id, for `→ Bob: text` (default: none known, the address is shown). */
  readonly nameOf?: (id: string) => string | null;
  /** Terminal columns now, for the peers table (default: stdout's, else 80). */
  readonly columns?: () => number;
}

function formatResult(outcome: SendOutcome, cause: SendCause, theme: Theme, nameOf: (id: string) => string | null): string {
  switch (cause) {
    case 'greet':
      return formatGreeting(outcome, theme);
    case 'connect':
      return formatConnectResult(outcome, theme);
    case 'send':
    case 'all': {
      // One line per message sent: `[12:04:31] → Bob: text` (the exact wire line is in --json and the log).
      const to = { name: nameOf(outcome.to), address: outcome.to };
      if (!outcome.ok) return formatOwnFailure(to, outcome.error, new Date(), theme);
      const parts = outcome.lines.length > 1 ? theme.notice(` (sent in ${outcome.lines.length} parts)`) : '';
      return `${formatOwnLine(to, outcome.text, new Date(), theme)}${parts}`;
    }
  }
}

export function createInteractiveView(host: PromptHost, theme: Theme, options: InteractiveViewOptions = {}): View {
  let progressShown = false;
  const progress = progressLine(host);
  const rejectedOnce = lanRejections();
  const nameOf = options.nameOf ?? (() => null);
  const columns = options.columns ?? (() => process.stdout.columns || 80);
  return {
    listening: (info) => {
      const { lines, warnings } = listeningLines(info, localAddresses());
      for (const line of lines) host.print(safe(line));
      for (const text of warnings) host.print(formatWarning(text, new Date(), theme));
      host.print(theme.notice(`You are ${safe(info.name)}. Ctrl+C quits and tells your peers.`));
    },
    message: (message) => host.print(formatIncomingNamed(message, theme)),
    rejected: (rejected) => host.print(formatRejected(rejected, new Date(), theme)),
    // A connection closed without a byte is a port probe or a health check: not news.
    dropped: (dropped) => {
      if (dropped.reason !== 'empty') host.print(formatDropped(dropped, new Date(), theme));
    },
    warning: (text) => host.print(formatWarning(text, new Date(), theme)),
    sent: (outcome, cause) => host.print(outcome.ok && (outcome.attempts ?? 1) > 1 ? formatRetrySent(outcome, theme) : formatResult(outcome, cause, theme, nameOf)),
    peers: (peers, now) => formatPeersTable(peers, now, theme, { width: columns() }).forEach((line) => host.print(line)),
    error: (message) => host.print(theme.error(safe(message))),
    help: (text) => host.print(theme.notice(safe(text))),
    progress: (ok, failed, total) => {
      progressShown = true;
      progress(ok, failed, total);
    },
    exit: (summary) => {
      if (progressShown) host.write('\r\x1b[2K');
      host.print(formatQuitSummary(summary));
    },
    broadcast: (summary) => host.print(formatBroadcast(summary, theme)),
    history: (messages, what) => formatHistory(messages, what, theme).forEach((line) => host.print(line)),
    notice: (text) => host.print(theme.notice(safe(text))),
    // -- history (issue 12) --
    replay: (messages) => formatReplay(messages, theme).forEach((line) => host.print(line)),

    // -- outbox (issue 13) --
    sending: (e) => host.print(formatSending(e.id, e.to, e.attempt, theme)),
    queued: (e) => host.print(formatQueued(e, theme)),
    gaveUp: (e) => host.print(formatGaveUp(e, theme)),
    outbox: (entries, now) => formatOutbox(entries, now, theme).forEach((line) => host.print(line)),

    // -- LAN discovery (issue 11) --
    discovered: (peer) => host.print(theme.notice(formatDiscovered(peer))),
    lost: (peer) => host.print(theme.notice(formatLost(peer))),
    discoveryRejected: (rejected) => {
      const shown = rejectedOnce(rejected);
      if (shown) host.print(formatWarning(shown, new Date(), theme));
    },

    // -- rooms (issue 14) --
    roomJoined: (info) => host.print(formatRoomJoined(info, theme)),
    roomPeer: (event) => host.print(formatRoomPeer(event, theme)),

    // -- conversation (issue 10) --
    interrupted: () => {
      // Show the cursor again (a list prompt hides it) and leave.
      host.output.write('\x1b[?25h\nInterrupted: left without waiting for every peer.\n');
    },
  };
}

/** A quit progress callback that redraws one line in place, at most every PROGRESS_REDRAW_MS. */
function progressLine(host: PromptHost): (ok: number, failed: number, total: number) => void {
  let last = -Infinity;
  let latest = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    last = performance.now();
    host.write(`\r\x1b[2K${latest}`);
  };
  return (ok, failed, total) => {
    latest = formatQuitProgress(ok, failed, total);
    clearTimeout(timer);
    const wait = last + PROGRESS_REDRAW_MS - performance.now();
    // The final count is drawn at once; others wait out the window, latest wins.
    if (ok + failed === total || wait <= 0) draw();
    else timer = setTimeout(draw, wait);
  };
}
