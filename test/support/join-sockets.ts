/** Two connections joined into one: what either side sends reaches the other, and either closing ends both. */
import type { Socket } from "node:net";

export function joinSockets(first: Socket, second: Socket): void {
  first.pipe(second).pipe(first);
  for (const [one, other] of [
    [first, second],
    [second, first],
  ] as const) {
    one.on("error", () => other.destroy());
    one.on("close", () => other.destroy());
  }
}
