/** A ChatNode over a real TCP transport, for in-process tests. */
import { ChatNode } from '../../src/core/node.js';
import type { VerifyMode } from '../../src/core/verify.js';
import type { MessageStore } from '../../src/store/store.js';
import type { ServerLimits } from '../../src/transport/tcp/chat-server.js';
import { TcpTransport } from '../../src/transport/tcp/tcp-transport.js';

export interface TestNodeOptions {
  readonly name: string;
  readonly ip?: string;
  readonly host?: string;
  readonly port?: number;
  readonly timeoutMs?: number;
  readonly verify?: VerifyMode;
  readonly maxPeers?: number;
  readonly log?: MessageStore;
  readonly limits?: Partial<ServerLimits>;
}

export function createTestNode(options: TestNodeOptions): ChatNode {
  const host = options.host ?? '127.0.0.1';
  const tcp = new TcpTransport({ host, port: options.port ?? 0, limits: options.limits });
  return new ChatNode({
    name: options.name,
    ip: options.ip ?? host,
    transports: [tcp],
    store: options.log,
    timeoutMs: options.timeoutMs,
    verify: options.verify,
    maxPeers: options.maxPeers,
  });
}
