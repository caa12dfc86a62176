import { randomBytes } from "node:crypto";

/** A printable value of exactly `bytes` ASCII characters. */
export function valueOfBytes(bytes: number): string {
  return randomBytes(Math.ceil(bytes / 2))
    .toString("hex")
    .slice(0, bytes);
}

/** The key of the `sequence`-th write, cycling through `keySpace` keys so the state stays bounded. */
export function benchKey(sequence: number, keySpace: number): string {
  return `bench-${sequence % keySpace}`;
}
