/**
 * A hand-stepped Doist for core tests: entered at once, exited in afterEach.
 */
import { afterEach } from "vitest";
import { Doist, type DoFunction } from "../../src/core/index.js";

/**
 * Registers an afterEach that exits every Doist it made, and returns the maker.
 * @returns `stepped(doers, tock = 0.25)`: a non-real Doist over `doers`, entered, without signal handlers
 */
export function steppedDoists(): (doers: DoFunction[], tock?: number) => Doist {
  const doists: Doist[] = [];
  afterEach(() => {
    for (const doist of doists.splice(0)) doist.exit();
  });
  return (doers, tock = 0.25) => {
    const doist = new Doist({ doers, tock, signals: false });
    doists.push(doist);
    doist.enter();
    return doist;
  };
}
