/**
 * The features this build has, in the order they start. Each is created from
 * the options and is absent (undefined) when the user did not ask for it.
 */
import type { Options } from '../../config/schema.js';
import type { Feature } from '../feature.js';
import { createOutboxFeature } from './outbox.js';
import { createRoomsFeature } from './rooms.js';

type FeatureFactory = (options: Options) => Feature | undefined;

const FACTORIES: readonly FeatureFactory[] = [
  // -- history (issue 12) --

  // -- outbox (issue 13) --
  createOutboxFeature,

  // -- LAN discovery (issue 11) --

  // -- rooms (issue 14) --
  createRoomsFeature,

  // -- conversation (issue 10) --
];

export function createFeatures(options: Options): Feature[] {
  return FACTORIES.map((create) => create(options)).filter((feature): feature is Feature => feature !== undefined);
}
