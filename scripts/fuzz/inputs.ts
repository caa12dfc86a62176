/**
 * Input generators for fuzzing: random bytes and text, random JSON, and
 * mutations of valid inputs (a splice of random text, or one field of a
 * valid JSON object replaced by a random value), which reach far deeper into
 * a parser than noise alone.
 */
import fc from "fast-check";

/** Text made from `seeds` by cutting a random stretch out and splicing random text in. */
function splicedSeed(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 64 }), fc.string({ maxLength: 24 }))
    .map(([seed, at, cut, insert]) => {
      const start = at % (seed.length + 1);
      return seed.slice(0, start) + insert + seed.slice(Math.min(seed.length, start + cut));
    });
}

/** A valid JSON object from `seeds` with one field replaced, removed or added. */
function fieldMutatedSeed(seeds: readonly string[]): fc.Arbitrary<string> {
  const objects = seeds.flatMap((seed) => {
    try {
      const value: unknown = JSON.parse(seed);
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? [value as Record<string, unknown>]
        : [];
    } catch {
      return [];
    }
  });
  if (objects.length === 0) return fc.constant("{}");
  return fc
    .tuple(
      fc.constantFrom(...objects),
      fc.nat(),
      fc.jsonValue(),
      fc.boolean(),
      fc.string({ maxLength: 8 }),
    )
    .map(([object, which, value, remove, extraKey]) => {
      const keys = Object.keys(object);
      const copy: Record<string, unknown> = { ...object };
      const key = keys.length > 0 ? keys[which % keys.length]! : extraKey;
      if (remove) delete copy[key];
      else copy[which % 3 === 0 ? extraKey : key] = value;
      return JSON.stringify(copy);
    });
}

/** Strings for a text parser: noise, JSON, and mutations of the valid `seeds`. */
export function textInputs(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 256 }) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 3, arbitrary: splicedSeed(seeds) },
    { weight: 3, arbitrary: fieldMutatedSeed(seeds) },
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
  );
}

/** Bytes for a binary parser: noise, and the `seeds` with bytes flipped or cut. */
export function byteInputs(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean())
    .map(([seed, at, mask, cut]) => {
      const copy = Buffer.from(seed);
      if (copy.length === 0) return copy;
      if (cut) return copy.subarray(0, at % copy.length);
      copy[at % copy.length]! ^= mask;
      return copy;
    });
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
    mutated,
    fc.constantFrom(...seeds),
  );
}
