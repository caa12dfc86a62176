import type { RandomSource } from "./types.ts";

/**
 * A small, fast, seedable generator (mulberry32). The core never calls
 * Math.random: production passes a crypto-seeded instance, the simulator a
 * fixed seed, so every run can be replayed.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    nextInt(maxExclusive: number): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let mixed = state;
      mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
      mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
      const unit = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
      return Math.floor(unit * maxExclusive);
    },
  };
}
