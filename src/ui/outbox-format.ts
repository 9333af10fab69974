/**
 * The outbox's lines for the text and interactive views (issue 13): each of
 * your messages shows its state as it changes: `sending…`, `sent ✓`,
 * `queued ⟳ retry in 8 s (connection refused)`, `gave up ✗`. Pure.
 */
import type { OutboxEntry } from '../core/outbox.js';
import type { OutboxRunnerEvents } from '../core/outbox-runner.js';
import type { SendOutcome } from '../core/node.js';
import type { SendFailure } from '../transport/transport.js';
import { sanitizeForDisplay as safe } from './sanitize.js';
import type { Theme } from './theme.js';

export type QueuedEvent = OutboxRunnerEvents['queued'][0];
export type GaveUpEvent = OutboxRunnerEvents['gave-up'][0];

const REASON: Readonly<Record<SendFailure, string>> = {
  refused: 'connection refused',
  timeout: 'timed out',
  unreachable: 'unreachable',
  reset: 'connection reset',
  error: 'error',
};

/** The reason in brackets: the failure in two words, or the error's own first clause. */
export function shortReason(failure: SendFailure | null | undefined, error: string): string {
  if (failure && failure !== 'error') return REASON[failure];
  return error.split(':')[0] ?? error;
}

/** `8 s`, `1 min 30 s`: a wait in whole seconds (at least 1). */
export function formatWait(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 > 0 ? ` ${s % 60} s` : ''}`;
}

export function formatSending(id: string, to: string, attempt: number, theme: Theme): string {
  return `${theme.notice('sending…')} ${theme.address(safe(to))} ${theme.notice(`(${safe(id)}, attempt ${attempt})`)}`;
}

export function formatQueued(event: QueuedEvent, theme: Theme): string {
  const wait = event.attempt === 0 ? `waiting behind earlier messages` : `retry in ${formatWait(event.retryInMs)} (${safe(shortReason(event.failure, event.error))})`;
  return `${theme.warning(`queued ⟳ ${wait}`)} ${theme.address(safe(event.to))}: ${safe(event.text)} ${theme.notice(`[${safe(event.id)}]`)}`;
}

/** A message the outbox sent after failed attempts: the same id as when it was queued. */
export function formatRetrySent(outcome: SendOutcome, theme: Theme): string {
  const attempts = outcome.attempts ?? 1;
  return `${theme.success('sent ✓')} ${theme.address(safe(outcome.to))}: ${safe(outcome.text)} ${theme.notice(`[${safe(outcome.id)}, ${attempts} attempts]`)}`;
}

export function formatGaveUp(event: GaveUpEvent, theme: Theme): string {
  const tries = `${event.attempts} attempt${event.attempts === 1 ? '' : 's'}`;
  return `${theme.error(`gave up ✗ after ${tries} (${safe(event.error)})`)} ${theme.address(safe(event.to))}: ${safe(event.text)} ${theme.notice(`[${safe(event.id)}]`)}`;
}

/** /outbox: a heading and one line per waiting message, in the order they will go. */
export function formatOutbox(entries: readonly OutboxEntry[], now: number, theme: Theme): string[] {
  if (entries.length === 0) return [theme.notice('The outbox is empty: nothing waits to be sent.')];
  const head = theme.notice(`— outbox: ${entries.length} message${entries.length === 1 ? '' : 's'} waiting —`);
  return [
    head,
    ...entries.map((e) => {
      const state = e.sending
        ? 'sending…'
        : e.attempts === 0
          ? 'waiting'
          : `retry in ${formatWait(e.nextAt - now)} (${safe(shortReason(e.lastFailure, e.lastError ?? ''))})`;
      return `${theme.notice(safe(e.id))} ${theme.address(safe(e.to))}: ${safe(e.text)} ${theme.notice(`· ${e.attempts} attempt${e.attempts === 1 ? '' : 's'} · ${state}`)}`;
    }),
  ];
}
