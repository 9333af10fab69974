/**
 * LAN discovery in the product (issue 11): with `--discover`, announce our
 * advertised address and bound port over mDNS and put the peers heard there
 * into the peer list (source `lan`). Discovery only fills the list: no
 * `hello` or `connect` is sent, since both sides already know each other, and
 * a later chat from the peer refreshes the same `ip:port` entry.
 *
 * The rule for `lost` (a goodbye or an expired announcement): the entry goes
 * only when the LAN was all we knew of it, i.e. its source is `lan` and it has
 * never written to us over TCP (no messages). A peer we have chatted with
 * stays; the plain protocol's own `exit` and failed sends speak for it.
 *
 * A fault (UDP 5353 held by another program, an interface gone) is one
 * warning and the chat goes on. Quit sends the goodbyes beside the node's
 * exit fan-out: started in beforeQuit, awaited in stop.
 */
import type { Options } from '../../config/schema.js';
import type { DiscoveredPeer, LostPeer } from '../../discovery/discovery.js';
import { MdnsDiscovery } from '../../discovery/mdns.js';
import type { Feature, FeatureContext } from '../feature.js';

export function createDiscoveryFeature(options: Options): Feature | undefined {
  if (options.discover) return new DiscoveryFeature();
  // Only --discover puts anything on the network; an interface alone (from
  // a config file, say) says so once instead of announcing.
  if (options.discoverInterface === undefined) return undefined;
  return {
    name: 'LAN discovery',
    start: ({ view }) => view.warning('--discover-interface is set but LAN discovery is off (add --discover to announce and browse)'),
  };
}

class DiscoveryFeature implements Feature {
  readonly name = 'LAN discovery';
  #discovery: MdnsDiscovery | undefined;
  #stopping: Promise<void> | undefined;

  async start(context: FeatureContext): Promise<void> {
    const { node, view, options } = context;
    const discovery = new MdnsDiscovery({ interface: options.discoverInterface, ttlSeconds: options.discoverTtl, maxPeers: options.maxPeers });
    this.#discovery = discovery;
    discovery.on('warning', (text) => view.warning(text));
    discovery.on('rejected', (rejected) => view.discoveryRejected(rejected));
    discovery.on('discovered', (peer) => {
      if (this.#stopping) return;
      this.#onDiscovered(peer, context);
      view.discovered(peer);
    });
    discovery.on('lost', (peer) => {
      if (this.#stopping) return;
      this.#onLost(peer, context);
      view.lost(peer);
    });
    await discovery.start({ name: node.name, ip: node.ip, port: node.port });
  }

  beforeQuit(): void {
    // Goodbyes go out while the node tells its peers `exit`.
    this.#stopping ??= this.#discovery?.stop() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#stopping ??= this.#discovery?.stop() ?? Promise.resolve();
    await this.#stopping;
  }

  #onDiscovered(peer: DiscoveredPeer, { node }: FeatureContext): void {
    const existing = node.peer(peer.id);
    // The module says `discovered` again for a new name or a newly verified
    // announcement; an entry the LAN alone made follows it. One made by
    // a chat or by us keeps what the chat said.
    if (existing && lanOnly(existing) && (existing.name !== peer.name || (peer.verified && !existing.verified))) node.forget(peer.id);
    node.remember(peer.id, peer.name, 'lan', peer.verified);
  }

  #onLost(peer: LostPeer, { node }: FeatureContext): void {
    const existing = node.peer(peer.id);
    if (existing && lanOnly(existing)) node.forget(peer.id);
  }
}

/** Known from the LAN alone: found there and never heard from over TCP. */
function lanOnly(entry: { readonly source: string; readonly messages: number }): boolean {
  return entry.source === 'lan' && entry.messages === 0;
}
