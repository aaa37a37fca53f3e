/**
 * WireTap: what a handle records crossed the wire into (the io layer's one
 * type, re-exported here for the tcp layer's users).
 *
 * @module
 */
export type { WireTap } from "../io/index.js";
