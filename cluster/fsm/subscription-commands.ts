/** Applying a user's subscription token: issued once, re-issued on reset (see records.ts, Subscription). */
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse, unknownUser } from "./errors.ts";

/**
 * Issues the user's subscription token, or with `replace` re-issues it. A
 * first issue for a user who has one already keeps the current token (two
 * requests racing give the user one URL, not two).
 */
export function issueSubscription(data: ControlPlaneData, command: CommandOf<"issueSubscription">) {
  if (!data.users.has(command.userId)) return unknownUser(command.userId);
  const current = data.subscriptions.get(command.userId);
  if (current && !command.replace)
    return applied({
      userId: current.userId,
      tokenSha256: current.tokenSha256,
      issuedAt: current.issuedAt,
      created: false,
    });
  if (data.userIdOfSubscriptionDigest(command.tokenSha256) !== undefined)
    return refuse("DUPLICATE_TOKEN", "that subscription token is taken; draw a new one");
  data.putSubscription({
    userId: command.userId,
    tokenSha256: command.tokenSha256,
    tokenSealed: command.tokenSealed,
    issuedAt: command.at,
  });
  return applied({
    userId: command.userId,
    tokenSha256: command.tokenSha256,
    issuedAt: command.at,
    created: true,
  });
}
