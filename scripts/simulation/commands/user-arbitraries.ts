/**
 * Random commands about users: /start, an admin's approval, block and
 * promotion, invites, and each user's subscription token, issued and reset.
 */
import fc from "fast-check";
import {
  actor,
  at,
  SUBSCRIPTION_DIGESTS,
  updateId,
  userId,
  type WeightedCommand,
} from "./domains.ts";

const inviteCode = fc.constantFrom("INV1", "INV2");

/**
 * A subscription token's digest: one of few, so a reset sometimes draws a
 * digest another user holds, and now and then not a digest at all.
 */
const tokenSha256 = fc.oneof(
  { arbitrary: fc.constantFrom(...SUBSCRIPTION_DIGESTS), weight: 9 },
  { arbitrary: fc.constant("not-a-digest"), weight: 1 },
);

/** Users come and go through the bot; admins manage them and invites now and then. */
export const userCommands: WeightedCommand[] = [
  {
    arbitrary: fc.record(
      {
        type: fc.constant("upsertUser" as const),
        userId,
        name: fc.constantFrom("A", "B"),
        language: fc.constantFrom("en" as const, "fa" as const, "ru" as const),
        role: fc.constantFrom("user" as const, "admin" as const),
        inviteCode,
        at,
        updateId,
      },
      { requiredKeys: ["type", "userId", "name", "language", "at"] },
    ),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("setUserStatus" as const),
      userId,
      status: fc.constantFrom("active" as const, "pending" as const, "blocked" as const),
      actor,
      at,
      updateId,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("setUserRole" as const),
      userId,
      role: fc.constantFrom("user" as const, "admin" as const),
      actor,
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("createInvite" as const),
      code: inviteCode,
      uses: fc.integer({ min: 1, max: 2 }),
      actor,
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("redeemInvite" as const),
      code: inviteCode,
      userId,
      at,
      updateId,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("deleteInvite" as const),
      code: inviteCode,
      actor,
      at,
      updateId,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("issueSubscription" as const),
      userId,
      tokenSha256,
      tokenSealed: fc.constantFrom("sealed", "k2:sealed"),
      replace: fc.boolean(),
      at,
      updateId,
    }),
    weight: 2,
  },
];
