/**
 * Plain lines for piped stdin without `--json`: the same wording as the
 * interactive terminal, one event per line, timestamps on incoming lines,
 * every peer-controlled string sanitised, colour only on a terminal.
 */
import type { Writable } from 'node:stream';
import type { View } from '../app/view.js';
import {
  formatBroadcast,
  formatDropped,
  formatHistory,
  formatIncoming,
  formatPeersTable,
  formatQuitSummary,
  formatRejected,
  formatReplay,
  formatSent,
  formatWarning,
} from './format.js';
import { listeningLines, localAddresses } from './listening-lines.js';
import { formatRoomJoined, formatRoomPeer } from './room-format.js';
import { formatDiscovered, formatLost, lanRejections } from './discovery-format.js';
import { sanitizeForDisplay as safe } from './sanitize.js';
import { createTheme, type Theme } from './theme.js';
import { formatGaveUp, formatOutbox, formatQueued, formatRetrySent, formatSending } from './outbox-format.js';

export function createTextView(output: Writable, theme: Theme = createTheme({ isTTY: Boolean((output as { isTTY?: boolean }).isTTY) })): View {
  const line = (text: string): void => {
    output.write(`${text}\n`);
  };
  const rejectedOnce = lanRejections();
  return {
    listening: (info) => {
      const { lines, warnings } = listeningLines(info, localAddresses());
      lines.forEach((text) => line(safe(text)));
      warnings.forEach((text) => line(formatWarning(text, new Date(), theme)));
    },
    message: (message) => line(formatIncoming(message, theme)),
    rejected: (rejected) => line(formatRejected(rejected, new Date(), theme)),
    // As in the terminal: an empty connection is a probe, not news.
    dropped: (dropped) => {
      if (dropped.reason !== 'empty') line(formatDropped(dropped, new Date(), theme));
    },
    warning: (text) => line(formatWarning(text, new Date(), theme)),
    sent: (outcome) => line(outcome.ok && (outcome.attempts ?? 1) > 1 ? formatRetrySent(outcome, theme) : formatSent(outcome, theme)),
    peers: (peers, now) => formatPeersTable(peers, now, theme).forEach(line),
    error: (message) => line(theme.error(`error: ${safe(message)}`)),
    help: (text) => line(safe(text)),
    // A log or a pipe wants the summary, not a line per answer.
    progress: () => undefined,
    exit: (summary) => line(formatQuitSummary(summary)),
    broadcast: (summary) => line(formatBroadcast(summary, theme)),
    history: (messages, what) => formatHistory(messages, what, theme).forEach(line),
    notice: (text) => line(theme.notice(safe(text))),
    // -- history (issue 12) --
    replay: (messages) => formatReplay(messages, theme).forEach(line),

    // -- outbox (issue 13) --
    sending: (e) => line(formatSending(e.id, e.to, e.attempt, theme)),
    queued: (e) => line(formatQueued(e, theme)),
    gaveUp: (e) => line(formatGaveUp(e, theme)),
    outbox: (entries, now) => formatOutbox(entries, now, theme).forEach(line),

    // -- LAN discovery (issue 11) --
    discovered: (peer) => line(theme.notice(formatDiscovered(peer))),
    lost: (peer) => line(theme.notice(formatLost(peer))),
    discoveryRejected: (rejected) => {
      const shown = rejectedOnce(rejected);
      if (shown) line(formatWarning(shown, new Date(), theme));
    },

    // -- rooms (issue 14) --
    roomJoined: (info) => line(formatRoomJoined(info, theme)),
    roomPeer: (event) => line(formatRoomPeer(event, theme)),

    // -- conversation (issue 10) --
  };
}
