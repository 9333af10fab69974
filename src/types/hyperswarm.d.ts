/**
 * Hand-written declarations for the part of hyperswarm 4 / hyperdht 6 that
 * p2pchat uses: neither package ships types, and @types packages for them do
 * not exist. Kept to what src/transport/room and its tests call, so a wrong
 * guess shows up as a type error at the call site.
 */

declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events';

  export interface KeyPair {
    readonly publicKey: Buffer;
    /** 64 bytes: the Ed25519 seed followed by the public key (libsodium's layout). */
    readonly secretKey: Buffer;
  }

  export interface BootstrapNode {
    readonly host: string;
    readonly port: number;
  }

  /** An end-to-end encrypted Noise stream (@hyperswarm/secret-stream), a streamx Duplex. */
  export interface SwarmConnection extends EventEmitter {
    readonly remotePublicKey: Buffer;
    readonly publicKey: Buffer;
    readonly isInitiator: boolean;
    readonly rawBytesRead: number;
    readonly rawBytesWritten: number;
    readonly destroyed: boolean;
    /** Returns false when the stream's buffer is over its high-water mark: wait for 'drain'. */
    write(data: Uint8Array): boolean;
    end(data?: Uint8Array): void;
    destroy(error?: Error): void;
    pause(): void;
    resume(): void;
    setKeepAlive(ms: number): void;
    on(event: 'data', listener: (data: Buffer) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close' | 'drain' | 'end' | 'open', listener: () => void): this;
    once(event: 'close' | 'drain' | 'end' | 'open', listener: () => void): this;
  }

  export interface PeerInfo {
    readonly publicKey: Buffer;
    readonly topics: readonly Buffer[];
    readonly client: boolean;
  }

  export interface PeerDiscoverySession {
    flushed(): Promise<boolean>;
    refresh(options?: { readonly client?: boolean; readonly server?: boolean }): Promise<void>;
    destroy(): Promise<void>;
  }

  export interface SwarmOptions {
    readonly keyPair?: KeyPair;
    readonly seed?: Buffer;
    /** DHT bootstrap nodes; absent: hyperdht's public ones. */
    readonly bootstrap?: readonly (BootstrapNode | string)[];
    readonly maxPeers?: number;
    readonly firewall?: (remotePublicKey: Buffer, payload: unknown) => boolean;
    /** Client reconnect back-offs in ms [initial, short, long, give-up]. */
    readonly backoffs?: readonly number[];
    readonly jitter?: number;
  }

  export default class Hyperswarm extends EventEmitter {
    constructor(options?: SwarmOptions);
    readonly keyPair: KeyPair;
    /** The swarm's DHT node (tests open raw connections through it). */
    readonly dht: { connect(remotePublicKey: Buffer, options?: { readonly keyPair?: KeyPair }): SwarmConnection };
    readonly connections: Set<SwarmConnection>;
    /** Peers by hex key; a firewalled peer is marked banned here until `ban(false)`. */
    readonly peers: Map<string, { ban(value: boolean): void }>;
    readonly destroyed: boolean;
    join(topic: Buffer, options?: { readonly client?: boolean; readonly server?: boolean; readonly onerror?: (error: Error) => void }): PeerDiscoverySession;
    leave(topic: Buffer): Promise<void>;
    joinPeer(publicKey: Buffer): void;
    leavePeer(publicKey: Buffer): void;
    listen(): Promise<void>;
    flush(): Promise<boolean>;
    destroy(options?: { readonly force?: boolean }): Promise<void>;
    on(event: 'connection', listener: (connection: SwarmConnection, info: PeerInfo) => void): this;
    on(event: 'update', listener: () => void): this;
    on(event: 'ban', listener: (info: PeerInfo, error: Error) => void): this;
  }
}

declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events';
  import type { BootstrapNode, KeyPair, SwarmConnection } from 'hyperswarm';

  export default class HyperDHT extends EventEmitter {
    constructor(options?: { readonly bootstrap?: readonly (BootstrapNode | string)[]; readonly keyPair?: KeyPair; readonly host?: string; readonly ephemeral?: boolean });
    static keyPair(seed?: Buffer): KeyPair;
    readonly defaultKeyPair: KeyPair;
    connect(remotePublicKey: Buffer, options?: { readonly keyPair?: KeyPair }): SwarmConnection;
    fullyBootstrapped(): Promise<void>;
    destroy(options?: { readonly force?: boolean }): Promise<void>;
  }
}

declare module 'hyperdht/testnet' {
  import type HyperDHT from 'hyperdht';
  import type { BootstrapNode } from 'hyperswarm';

  export interface Testnet {
    readonly nodes: HyperDHT[];
    readonly bootstrap: BootstrapNode[];
    createNode(options?: object): HyperDHT;
    destroy(): Promise<void>;
  }

  /** `size` DHT nodes on `host` (default 127.0.0.1); the first is the bootstrap node. */
  export default function createTestnet(size?: number, options?: { readonly host?: string; readonly port?: number }): Promise<Testnet>;
}
