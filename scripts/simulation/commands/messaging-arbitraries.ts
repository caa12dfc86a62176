/**
 * Random commands about the bot's messages: admins' broadcasts, the outbox's
 * deliveries and failures, and the Telegram updates the bot answered.
 */
import fc from "fast-check";
import { actor, at, telegramUpdateId, type WeightedCommand } from "./domains.ts";

/** Outbox entry ids as apply makes them: `o<index>-<n>`. */
const outboxId = fc
  .tuple(fc.integer({ min: 1, max: 60 }), fc.nat(3))
  .map(([index, n]) => `o${index}-${n}`);

/** Every notification is marked delivered once; every update the bot answers is recorded. */
export const messagingCommands: WeightedCommand[] = [
  {
    arbitrary: fc.record({
      type: fc.constant("broadcast" as const),
      text: fc.constant("hello"),
      actor,
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ type: fc.constant("markOutboxDelivered" as const), id: outboxId, at }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("markOutboxFailed" as const),
      id: outboxId,
      error: fc.constant("403"),
      permanent: fc.boolean(),
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("acknowledgeUpdate" as const),
      updateId: telegramUpdateId,
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("markUpdatesAnswered" as const),
      updates: fc.array(fc.tuple(telegramUpdateId, fc.integer({ min: 1, max: 3 })), {
        minLength: 1,
        maxLength: 3,
      }),
      at,
    }),
    weight: 1,
  },
];
