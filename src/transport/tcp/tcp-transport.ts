/**
 * The plain protocol as a Transport: a ChatServer for what arrives (one
 * connection, one message) and a fresh connection for every send. Peer ids
 * are canonical `ip:port`; it writes `Outbound.line`, byte for byte.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseAddress } from '../../protocol/address.js';
import type { Outbound, PeerId, SendResult, Transport, TransportEvents } from '../transport.js';
import { ChatServer, type ServerLimits } from './chat-server.js';
import { sendMessage } from './sender.js';

export interface TcpTransportOptions {
  readonly host: string;
  /** 0 asks the system for a free port (the bound one is `port` after listen). */
  readonly port: number;
  readonly limits?: Partial<ServerLimits>;
}

export class TcpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly name = 'tcp';
  readonly host: string;
  readonly server: ChatServer;
  #port: number;

  constructor(options: TcpTransportOptions) {
    super();
    this.host = options.host;
    this.#port = options.port;
    this.server = new ChatServer(options.limits);
    this.server.on('message', ({ raw, remote }) => this.emit('inbound', { transport: this.name, line: raw, remote }));
    this.server.on('rejected', (event) => this.emit('rejected', event));
    this.server.on('dropped', (event) => this.emit('dropped', event));
    this.server.on('warning', (error) => this.emit('warning', error));
  }

  /** The listening port: the one asked for, or the system's pick once bound. */
  get port(): number {
    return this.#port;
  }

  async listen(): Promise<void> {
    const info: AddressInfo = await this.server.listen(this.#port, this.host);
    this.#port = info.port;
  }

  owns(peer: PeerId): boolean {
    return parseAddress(peer).ok;
  }

  send(peer: PeerId, message: Outbound, options: { readonly timeoutMs: number }): Promise<SendResult> {
    const parsed = parseAddress(peer);
    if (!parsed.ok) return Promise.resolve({ ok: false, failure: 'error', error: `not an ip:port address: ${peer}`, ms: 0 });
    return sendMessage(parsed.address, message.line, { timeoutMs: options.timeoutMs });
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
