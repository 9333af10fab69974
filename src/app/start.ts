/** Build and start a ChatNode from the command line's options. Shared by every mode. */
import { ChatNode } from '../core/node.js';
import { P2PError } from '../core/errors.js';
import { defaultAdvertisedIp, ownAddresses } from '../transport/tcp/local-addresses.js';
import { MessageLog } from '../store/jsonl-log.js';
import type { CliOptions } from '../cli/program.js';

export function buildNode(options: CliOptions, name: string, port: number, log?: MessageLog): ChatNode {
  return new ChatNode({
    name,
    port,
    host: options.host,
    ip: options.ip ?? defaultAdvertisedIp(),
    timeoutMs: options.timeout,
    verify: options.verify,
    maxPeers: options.maxPeers,
    log,
    ownAddresses: ownAddresses(),
    limits: {
      maxMessageBytes: options.maxMessageBytes,
      idleTimeoutMs: options.idleTimeout,
      messageDeadlineMs: options.messageDeadline,
      maxConnections: options.maxConnections,
    },
  });
}

/** Turn a bind failure into one sentence that says what to do. */
export function listenError(error: unknown, host: string, port: number): P2PError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return new P2PError('P2P_PORT_IN_USE', `port ${port} is already in use on ${host}; choose another with --port`);
    case 'EACCES':
      return new P2PError('P2P_LISTEN_FAILED', `not allowed to listen on port ${port}; ports below 1024 need privileges, choose 1024 or above`);
    case 'EADDRNOTAVAIL':
      return new P2PError('P2P_LISTEN_FAILED', `cannot listen on ${host}: no such address on this machine; check --host`);
    default:
      return new P2PError('P2P_LISTEN_FAILED', `cannot listen on ${host}:${port} (${code ?? String(error)})`);
  }
}

/** Bind the node's server; a failure becomes a P2PError with a one-line reason. */
export async function startNode(node: ChatNode): Promise<void> {
  const port = node.port;
  try {
    await node.start();
  } catch (error) {
    throw listenError(error, node.host, port);
  }
}

/**
 * A warning when the advertised address is IPv6: the original peers split the
 * first word on ':' and their receiver dies on `[addr]:port`.
 */
export function advertisedIpWarning(ip: string): string | undefined {
  if (!ip.includes(':')) return undefined;
  return `--ip ${ip} is IPv6: peers running the original chat cannot parse [${ip}]:port and stop receiving; use an IPv4 --ip to talk to them`;
}

export function openLog(options: CliOptions): MessageLog | undefined {
  return options.log === undefined ? undefined : new MessageLog(options.log);
}
