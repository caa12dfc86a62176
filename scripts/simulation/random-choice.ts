/** Choices drawn from a seeded random source, for the leader's simulated tasks. */
import type { RandomSource } from "../../cluster/raft/types.ts";

/** One of `items`, each as likely; undefined when there are none. */
export function pickOne<T>(random: RandomSource, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[random.nextInt(items.length)];
}

/** One of `choices`, each drawn with its weight in percent (the weights add up to 100). */
export function drawn<T>(random: RandomSource, choices: ReadonlyArray<readonly [T, number]>): T {
  let roll = random.nextInt(100);
  for (const [choice, percent] of choices) {
    if (roll < percent) return choice;
    roll -= percent;
  }
  throw new Error("the weights add up to less than 100");
}
