/**
 * The outbox journal's line format, pure: one operation per line, each a
 * JSON array whose first element names the operation.
 *
 *     ["e", id, to, kind, line, at, text]                        enqueue
 *     ["e", id, to, kind, line, at, text, attempts, nextAt,
 *           lastError | null, failure | null]                     enqueue with state (compaction)
 *     ["a", id]                                                   attempt (written before the send)
 *     ["s", id]                                                   sent
 *     ["f", id, nextAt, failures, failure, error]                 failed
 *     ["c", id]                                                   cancel
 *     ["g", id]                                                   gave up
 *     ["b", to, failures]                                         back-off of a peer (compaction)
 *
 * `text` is a number when the text is the end of the line (the usual case:
 * the line is `<ip>:<port> <name> <text>`): the offset where it starts, so
 * the words are stored once.
 *
 * Why arrays and not objects: measured on 100,000 queued messages, replay of
 * object lines took 260-370 ms and 21 MB of file, arrays 70-145 ms and
 * 11 MB; start-up time is what a queue that size costs the user.
 */
import type { OutboxOp } from '../core/outbox.js';
import type { MessageKind } from '../protocol/line.js';
import type { SendFailure } from '../transport/transport.js';

const KINDS: ReadonlySet<unknown> = new Set<MessageKind>(['chat', 'hello', 'connect', 'exit']);
const FAILURES: ReadonlySet<unknown> = new Set<SendFailure>(['refused', 'timeout', 'unreachable', 'reset', 'error']);

const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** One line (without its newline) for `op`. */
export function encodeOutboxOp(op: OutboxOp): string {
  switch (op.op) {
    case 'enqueue': {
      const text = op.line.endsWith(op.text) ? op.line.length - op.text.length : op.text;
      const base: unknown[] = ['e', op.id, op.to, op.kind, op.line, op.at, text];
      const stateful = op.attempts !== undefined || op.nextAt !== undefined || op.lastError !== undefined || op.failure !== undefined;
      if (stateful) base.push(op.attempts ?? 0, op.nextAt ?? op.at, op.lastError ?? null, op.failure ?? null);
      return JSON.stringify(base);
    }
    case 'attempt':
      return JSON.stringify(['a', op.id]);
    case 'sent':
      return JSON.stringify(['s', op.id]);
    case 'failed':
      return JSON.stringify(['f', op.id, op.nextAt, op.failures, op.failure, op.error]);
    case 'cancel':
      return JSON.stringify(['c', op.id]);
    case 'gave-up':
      return JSON.stringify(['g', op.id]);
    case 'backoff':
      return JSON.stringify(['b', op.to, op.failures]);
  }
}

/**
 * The operation on one line, or undefined when the line is not one (torn,
 * hand-edited, corrupt). Pure; never throws.
 */
export function decodeOutboxLine(line: string): OutboxOp | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !isString(value[1])) return undefined;
  const v = value as unknown[];
  const id = v[1] as string;
  switch (v[0]) {
    case 'e': {
      const [, , to, kind, text, at, where] = v;
      if (!isString(to) || !KINDS.has(kind) || !isString(text) || !isTime(at)) return undefined;
      let body: string;
      if (isString(where)) body = where;
      else if (isCount(where) && where <= text.length) body = text.slice(where);
      else return undefined;
      const op = { op: 'enqueue' as const, id, to, kind: kind as MessageKind, text: body, line: text, at };
      if (v.length === 7) return op;
      const [attempts, nextAt, lastError, failure] = v.slice(7);
      if (v.length !== 11 || !isCount(attempts) || !isTime(nextAt)) return undefined;
      if (lastError !== null && !isString(lastError)) return undefined;
      if (failure !== null && !FAILURES.has(failure)) return undefined;
      return {
        ...op,
        attempts,
        nextAt,
        ...(lastError !== null ? { lastError } : {}),
        ...(failure !== null ? { failure: failure as SendFailure } : {}),
      };
    }
    case 'a':
      return v.length === 2 ? { op: 'attempt', id } : undefined;
    case 's':
      return v.length === 2 ? { op: 'sent', id } : undefined;
    case 'c':
      return v.length === 2 ? { op: 'cancel', id } : undefined;
    case 'g':
      return v.length === 2 ? { op: 'gave-up', id } : undefined;
    case 'f': {
      const [, , nextAt, failures, failure, error] = v;
      if (v.length !== 6 || !isTime(nextAt) || !isCount(failures) || !FAILURES.has(failure) || !isString(error)) return undefined;
      return { op: 'failed', id, nextAt, failures, failure: failure as SendFailure, error };
    }
    case 'b':
      return v.length === 3 && isCount(v[2]) ? { op: 'backoff', to: id, failures: v[2] } : undefined;
    default:
      return undefined;
  }
}
