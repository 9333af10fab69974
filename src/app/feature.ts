/**
 * A capability beside the plain chat (history, the outbox, LAN discovery,
 * rooms) plugs into the session as a Feature: started once the node listens,
 * asked first about each command, and stopped around quit. The session and
 * the node stay the same however many features there are; a fault in one is
 * reported once and the chat goes on.
 */
import type { Options } from '../config/schema.js';
import type { ChatNode } from '../core/node.js';
import type { Command } from '../protocol/commands.js';
import type { StoreSet } from '../store/store-set.js';
import type { View } from './view.js';

export interface FeatureContext {
  readonly node: ChatNode;
  readonly view: View;
  readonly options: Options;
  /** Every store the node writes to; a feature may add one (the history, once the port is known). */
  readonly stores: StoreSet;
  /** Whether a person is at a terminal (the interactive frontend). */
  readonly interactive: boolean;
}

export interface Feature {
  readonly name: string;
  /** After the node is listening, before the greeting and the first command. A rejection is shown as a warning. */
  start?(context: FeatureContext): Promise<void> | void;
  /** Answer a command before the default handling; resolve true when it was handled here. */
  command?(command: Command, context: FeatureContext): Promise<boolean> | boolean;
  /** Quit has begun: stop starting new work (the node's exit fan-out follows). */
  beforeQuit?(context: FeatureContext): Promise<void> | void;
  /** After the node quit: say goodbye, close files. Safe to call once. */
  stop?(context: FeatureContext): Promise<void> | void;
}
