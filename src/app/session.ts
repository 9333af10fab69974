/**
 * One run loop for every mode. The session owns start-up (the store, bind,
 * the greeting, the warnings), running commands one after another, routing
 * the node's events to the View, quitting, and signals. A mode is only a
 * Frontend: where commands come from (stdin lines, or the menu turning the
 * user's choices into the same Command values), what to ask for when a flag
 * is missing, and a View to print with.
 */
import { onQuitSignals } from '../cli/signals.js';
import type { Options } from '../config/schema.js';
import { describeError, P2PError } from '../core/errors.js';
import { EXIT_FAILURE, EXIT_OK } from '../core/exit-codes.js';
import type { ChatNode, PeerSnapshot } from '../core/node.js';
import type { Command } from '../protocol/commands.js';
import { advertisedIpWarning } from '../protocol/compat.js';
import type { StoreSet } from '../store/store-set.js';
import { buildNode, listenError, openStores } from './compose.js';
import type { Feature, FeatureContext } from './feature.js';
import { createFeatures } from './features/index.js';
import { resolveTarget, runCommand } from './run-command.js';
import type { View } from './view.js';

/** Where commands come from. */
export interface CommandSource {
  /** The next command; undefined at the end of input or once closed. Never rejects for a quit. */
  next(): Promise<Command | undefined>;
  /** No more commands: an open prompt closes and `next` resolves undefined. */
  close(): void;
}

/** What a source may look at while it builds a command (pickers). */
export interface SessionContext {
  peers(): readonly PeerSnapshot[];
  lineFor(text: string): string;
  /** Call `listener` whenever the peer list gains or loses an entry (an open picker redraws); returns the unsubscribe. */
  onPeersChanged?(listener: () => void): () => void;
  /** Texts sent before, oldest first (this run and, with a message store, earlier ones), for Up/Down. */
  recentOutgoing?(): readonly string[];
}

/** How a mode asks for what the flags did not give; absent in the scriptable modes. */
export interface Asker {
  name(): Promise<string | undefined>;
  /** Ask until `bind` accepts a port (it returns a problem sentence otherwise); false if the user quit. */
  port(bind: (port: number) => Promise<string | undefined>): Promise<boolean>;
}

export interface Frontend {
  readonly view: View;
  readonly ask?: Asker;
  /** Why --name/--port cannot be asked for here, e.g. "with --json". */
  readonly cannotAskBecause: string;
  commands(context: SessionContext): CommandSource;
  /** Close whatever is open now (a prompt), for a quit that came from outside. */
  interrupt(): void;
  /** Release the terminal or stdin at the very end. */
  dispose(): void;
}

function missing(flag: string, why: string, json: boolean): P2PError {
  return new P2PError('P2P_MISSING_OPTION', `${flag} is required ${why}; e.g. p2pchat --name Alice --port 5000${json ? ' --json' : ''}`);
}

function bindProblem(error: P2PError, port: number): string {
  return error.code === 'P2P_PORT_IN_USE' ? `Port ${port} is already in use; choose another.` : error.message;
}

/** Run p2pchat in one mode until it quits. Resolves with the exit status; start-up errors reject as P2PError. */
export async function runSession(options: Options, frontend: Frontend): Promise<number> {
  const { view } = frontend;
  if (!frontend.ask) {
    if (options.name === undefined) throw missing('--name', frontend.cannotAskBecause, options.json);
    if (options.port === undefined) throw missing('--port', frontend.cannotAskBecause, options.json);
  }
  // One owner opens and closes the stores; the node only appends to them.
  const store = openStores(options);
  let storeFailed = false;
  store.onError = (error) => {
    if (storeFailed) return;
    storeFailed = true;
    view.warning(`cannot write the ${store.label} (${error.code ?? error.message}); messages are still shown`);
  };
  const signals = onQuitSignals({
    beforeExit: () => {
      store.close();
      view.interrupted?.();
    },
    boundMs: options.timeout + 1000,
  });
  let quitRequested = false;
  const quitting = signals.requested.then(() => {
    quitRequested = true;
    frontend.interrupt();
  });
  try {
    const node = await startUp(options, frontend, store);
    if (node === undefined) return EXIT_OK;
    return await runNode(node, store, options, frontend, quitting, () => quitRequested, () => signals.quitting());
  } finally {
    store.close();
    signals.stop();
    frontend.dispose();
    // Peers are told; end as a hung-up program does. A normal exit would make
    // Node restore the modes of a terminal that is gone, and abort on EIO.
    if (signals.hungUp) process.kill(process.pid, 'SIGHUP');
  }
}

/** Name, then bind: asked again where the frontend can ask. Undefined: the user quit while being asked. */
async function startUp(options: Options, frontend: Frontend, store: StoreSet): Promise<ChatNode | undefined> {
  const { view, ask } = frontend;
  const name = options.name ?? (await ask?.name());
  if (name === undefined) return undefined;
  let started: ChatNode | undefined;
  const bind = async (port: number): Promise<P2PError | undefined> => {
    const { node, tcp } = buildNode(options, name, port, store);
    // Listen to the node before it is bound: a message accepted at once is shown too.
    route(node, view);
    try {
      await node.start();
    } catch (error) {
      return listenError(error, tcp.host, port);
    }
    started = node;
    return undefined;
  };
  if (options.port !== undefined) {
    const problem = await bind(options.port);
    if (problem === undefined) return started;
    if (!ask || problem.code !== 'P2P_PORT_IN_USE') throw problem;
    view.error(bindProblem(problem, options.port));
  }
  if (!ask) throw missing('--port', frontend.cannotAskBecause, options.json);
  const answered = await ask.port(async (port) => {
    const problem = await bind(port);
    return problem === undefined ? undefined : bindProblem(problem, port);
  });
  return answered ? started : undefined;
}

/** Show what the node reports. */
function route(node: ChatNode, view: View): void {
  node.on('message', (message) => view.message(message));
  node.on('rejected', (rejected) => view.rejected(rejected));
  node.on('dropped', (dropped) => view.dropped(dropped));
  node.on('warning', (text) => view.warning(text));
}

async function runNode(
  node: ChatNode,
  store: StoreSet,
  options: Options,
  frontend: Frontend,
  quitting: Promise<void>,
  quitRequested: () => boolean,
  noteQuitting: () => void,
): Promise<number> {
  const { view } = frontend;
  view.listening({ host: options.host, ip: node.ip, port: node.port, name: node.name });
  const ipWarning = advertisedIpWarning(node.ip);
  if (ipWarning) view.warning(ipWarning);
  const features = createFeatures(options);
  const context: FeatureContext = { node, view, options, stores: store, interactive: frontend.ask !== undefined };
  await eachFeature(features, view, (feature) => feature.start?.(context), 'could not start');

  // Bootstrap peers are greeted beside the first prompt, and before the first
  // command runs, so it finds them in /peers; a quit does not wait for it.
  const greeting = resolvePeers(options.peers, node, view).then((peers) => node.greet(peers)).then((outcomes) => outcomes.forEach((outcome) => view.sent(outcome, 'greet')));
  // A command cut short by a quit still prints its result, before the exit line.
  const pending = new Set<Promise<void>>();
  const source = frontend.commands({
    peers: () => node.peers(),
    lineFor: (text) => node.lineFor(text),
    onPeersChanged: (listener) => {
      node.on('peers-changed', listener);
      return () => node.off('peers-changed', listener);
    },
    recentOutgoing: () => store.recentOutgoingTexts(),
  });
  let failure: unknown;
  let greeted = false;
  for (;;) {
    if (quitRequested()) break;
    let command: Command | undefined;
    try {
      command = await Promise.race([source.next(), quitting.then(() => undefined)]);
    } catch (error) {
      failure = error;
      break;
    }
    if (command === undefined || command.type === 'quit' || quitRequested()) break;
    if (!greeted) {
      await Promise.race([greeting, quitting]);
      greeted = true;
    }
    // One command at a time: its result is shown before the next one runs,
    // so `/send` then `/peers` shows the send's effect.
    const task = runCommand({ node, view, store, features, context }, command);
    pending.add(task);
    void task.finally(() => pending.delete(task));
    await Promise.race([task, quitting]);
  }
  noteQuitting();
  source.close();
  if (failure !== undefined) view.error(`Unexpected error: ${describeError(failure)}; quitting.`);
  await eachFeature(features, view, (feature) => feature.beforeQuit?.(context), 'could not stop');
  const summary = await node.quit((ok, failed, total) => view.progress(ok, failed, total));
  // Quit waited for sends under way; their results print before the exit line.
  await Promise.allSettled([greeting, ...pending]);
  await eachFeature(features, view, (feature) => feature.stop?.(context), 'could not stop');
  view.exit(summary);
  return failure === undefined ? EXIT_OK : EXIT_FAILURE;
}

/** --peer host names (`localhost:5001`), looked up once within the send timeout; one line for each that does not resolve. */
async function resolvePeers(peers: readonly string[], node: ChatNode, view: View): Promise<string[]> {
  const resolved = await Promise.all(
    peers.map(async (peer) => {
      const target = await resolveTarget(peer, node);
      if (target.ok) return target.id;
      view.error(`--peer ${peer}: ${target.message}`);
      return undefined;
    }),
  );
  return resolved.filter((peer): peer is string => peer !== undefined);
}

/** Run a lifecycle step of every feature; a failure is one warning and the chat goes on. */
async function eachFeature(features: readonly Feature[], view: View, step: (feature: Feature) => unknown, what: string): Promise<void> {
  for (const feature of features) {
    try {
      await step(feature);
    } catch (error) {
      view.warning(`${feature.name} ${what}: ${describeError(error)}`);
    }
  }
}
