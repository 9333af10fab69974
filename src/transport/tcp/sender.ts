/**
 * Send one message on a fresh connection: one write, no trailing newline, then
 * end. The send is complete once the write side is ended (FIN handed to the
 * kernel): some peers never close, and some write a reply, which is drained
 * and ignored (PROTOCOL.md, "Peers in the wild").
 */
import net from 'node:net';
import { formatAddress, type PeerAddress } from '../../protocol/address.js';
import type { SendFailure, SendResult } from '../transport.js';


export interface SendOptions {
  /** Whole-send timeout, connect included (default 5000 ms): Linux alone waits ~2 minutes. */
  readonly timeoutMs?: number;
  /** How long to keep the socket after our FIN, to drain a reply politely (default 250 ms). */
  readonly graceMs?: number;
}

export const DEFAULT_SEND_TIMEOUT_MS = 5000;
const DEFAULT_GRACE_MS = 250;

/** Plain words for a system error code. */
export function describeSendError(code: string | undefined, to: string, timeoutMs: number): { failure: SendFailure; error: string } {
  switch (code) {
    case 'ECONNREFUSED':
      return { failure: 'refused', error: `connection refused: nothing is listening on ${to}` };
    case 'ETIMEDOUT':
    case 'P2P_TIMEOUT':
      return { failure: 'timeout', error: `timed out after ${timeoutMs} ms: ${to} did not take the message` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return { failure: 'unreachable', error: `unreachable: no route to ${to}` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return { failure: 'reset', error: `connection reset by ${to} before the message was sent` };
    case 'EMFILE':
    case 'ENFILE':
      return { failure: 'error', error: `too many open files: could not open a connection to ${to}` };
    default:
      return { failure: 'error', error: `could not send to ${to}${code ? ` (${code})` : ''}` };
  }
}

/** Send `payload` to `to`. Never rejects: the result says what went wrong. */
export function sendMessage(to: PeerAddress, payload: string | Buffer, options: SendOptions = {}): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const started = performance.now();
  const label = formatAddress(to);

  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host: to.ip, port: to.port, noDelay: true });

    const settle = (result: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const failWith = (code: string | undefined): void => {
      socket.destroy();
      settle({ ok: false, ...describeSendError(code, label, timeoutMs), ms: performance.now() - started });
    };

    const timer = setTimeout(() => failWith('P2P_TIMEOUT'), timeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => failWith(error.code));
    socket.once('connect', () => {
      // Discard any acknowledgement a peer writes back; never show it.
      socket.resume();
      socket.end(payload);
    });
    socket.once('finish', () => {
      settle({ ok: true, ms: performance.now() - started });
      // Let a polite peer close first; drop the socket after a short grace either way.
      const linger = setTimeout(() => socket.destroy(), graceMs);
      linger.unref();
      socket.once('close', () => clearTimeout(linger));
    });
  });
}
