/** `--json`: one JSON object per line on stdout. Control characters stay escaped. */
import type { Writable } from 'node:stream';
import type { View } from '../app/view.js';
import { safeJson } from './safe-json.js';

export function createJsonView(output: Writable): View {
  const emit = (event: Record<string, unknown>): void => {
    output.write(`${safeJson(event)}\n`);
  };
  return {
    listening: ({ ip, port }) => emit({ type: 'listening', ip, port }),
    message: (m) =>
      emit({
        type: 'message',
        kind: m.kind,
        from: m.from,
        name: m.name,
        text: m.text,
        remote: m.remote,
        at: m.at.toISOString(),
        verified: m.verified,
        change: m.change,
      }),
    rejected: (r) => emit({ type: 'rejected', remote: r.remote, reason: r.reason, detail: r.detail }),
    dropped: (d) => emit({ type: 'dropped', remote: d.remote, reason: d.reason, detail: d.detail }),
    warning: (text) => emit({ type: 'warning', message: text }),
    sent: (o) =>
      o.ok
        ? emit({ type: 'sent', id: o.id, to: o.to, text: o.text, line: o.line, attempts: o.attempts ?? 1, ...(o.lines.length > 1 ? { parts: o.lines.length, lines: o.lines } : {}), ...(o.delivered ? { delivered: true } : {}) })
        : emit({ type: 'send-failed', id: o.id, to: o.to, text: o.text, error: o.error, failure: o.failure }),
    peers: (peers) =>
      emit({
        type: 'peers',
        peers: peers.map((p) => ({
          address: p.address,
          name: p.name,
          connected: p.connected,
          firstSeen: new Date(p.firstSeen).toISOString(),
          lastSeen: new Date(p.lastSeen).toISOString(),
          messages: p.messages,
          verified: p.verified,
          // Rooms (issue 14): where a room peer was met; TCP entries stay as they were.
          ...(p.source.startsWith('room:') ? { source: p.source } : {}),
        })),
      }),
    error: (message) => emit({ type: 'error', message }),
    help: (text) => emit({ type: 'help', message: text }),
    progress: () => undefined,
    broadcast: (b) => emit({ type: 'broadcast', id: b.id, text: b.text, sent: b.sent, queued: b.queued ?? 0, failed: b.failed, skipped: b.skipped }),
    history: (messages) =>
      emit({
        type: 'history',
        messages: messages.map((m) => ({
          id: m.id,
          at: new Date(m.at).toISOString(),
          direction: m.direction,
          peer: m.peer,
          name: m.name,
          kind: m.kind,
          text: m.text,
          status: m.status,
        })),
      }),
    notice: (text) => emit({ type: 'notice', message: text }),
    // -- history (issue 12) --

    // -- outbox (issue 13) --
    // An attempt starting is not news for a program: `sent` or `queued` follows.
    sending: () => undefined,
    queued: (q) => emit({ type: 'queued', id: q.id, to: q.to, text: q.text, attempt: q.attempt, retryInMs: q.retryInMs, error: q.error, failure: q.failure }),
    gaveUp: (g) => emit({ type: 'gave-up', id: g.id, to: g.to, text: g.text, attempts: g.attempts, error: g.error }),
    outbox: (entries) =>
      emit({
        type: 'outbox',
        messages: entries.map((e) => ({
          id: e.id,
          to: e.to,
          kind: e.kind,
          text: e.text,
          createdAt: new Date(e.createdAt).toISOString(),
          attempts: e.attempts,
          nextAt: new Date(e.nextAt).toISOString(),
          lastError: e.lastError,
          sending: e.sending,
        })),
      }),

    // -- LAN discovery (issue 11) --

    // -- rooms (issue 14) --
    roomJoined: ({ room, id }) => emit({ type: 'room', room, id }),
    roomPeer: ({ type, peer, name, room }) => emit({ type, peer, name, room }),

    // -- conversation (issue 10) --
    // `skipped` (unverified peers not told) and `failures` only when there were any.
    exit: (s) =>
      emit({
        type: 'exit',
        notified: s.notified,
        failed: s.failed,
        ...(s.skipped > 0 ? { skipped: s.skipped } : {}),
        ...(s.failures.length > 0 ? { failures: s.failures.map((f) => ({ to: f.to, ...(f.ok ? {} : { failure: f.failure, error: f.error }) })) } : {}),
      }),
  };
}
