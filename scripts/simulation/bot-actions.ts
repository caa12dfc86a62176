/**
 * What the leader's bot proposes as people use it, drawn from its state so
 * that the arguments are valid (the random workload's rarely are): the
 * outbox delivers its oldest pending message (or fails to, the user having
 * blocked the bot), a user downloads one of their configs again or revokes
 * it, an admin lifts a user's traffic suspension.
 */
import type { ControlPlaneCommandInput } from "../../cluster/fsm/commands.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import type { Config } from "../../cluster/fsm/records.ts";
import type { RandomSource } from "../../cluster/raft/types.ts";
import { wgKey } from "./commands/domains.ts";
import { drawn, pickOne } from "./random-choice.ts";

/** The outbox's oldest pending message, delivered, or one time in five not (for good, half the time). */
function outboxDelivery(
  state: ControlPlaneState,
  now: number,
  random: RandomSource,
): ControlPlaneCommandInput | undefined {
  const [entry] = state.pendingOutbox(1);
  if (!entry) return undefined;
  return random.nextInt(5) === 0
    ? {
        type: "markOutboxFailed",
        id: entry.id,
        error: "403: bot was blocked by the user",
        permanent: random.nextInt(2) === 0,
        at: now,
      }
    : { type: "markOutboxDelivered", id: entry.id, at: now };
}

/** A user downloads their config again: a fresh key pair, drawn twice now and then and refused. */
function download(config: Config, now: number, random: RandomSource): ControlPlaneCommandInput {
  return {
    type: "rekeyConfig",
    configId: config.id,
    userId: config.userId,
    clientPublicKey: wgKey(random.nextInt(2 ** 31), 8),
    deliveryKeysSealed: "sealed",
    at: now,
  };
}

/** A user revokes their own config. */
function revocation(config: Config, now: number): ControlPlaneCommandInput {
  const { userId } = config;
  return {
    type: "revokeConfig",
    configId: config.id,
    userId,
    actor: { kind: "telegram", userId },
    reason: "revoked by its user",
    at: now,
  };
}

/** What a user does to one of the live configs, picked at random: undefined when there are none. */
function onALiveConfig(
  action: (config: Config, now: number, random: RandomSource) => ControlPlaneCommandInput,
) {
  return (state: ControlPlaneState, now: number, random: RandomSource) => {
    const { users } = state.users({ limit: Number.MAX_SAFE_INTEGER });
    const config = pickOne(
      random,
      users.flatMap((user) => state.liveConfigsOfUser(user.id)),
    );
    return config && action(config, now, random);
  };
}

/** An admin lifts the suspension of the first user suspended for traffic. */
function suspensionLift(
  state: ControlPlaneState,
  now: number,
): ControlPlaneCommandInput | undefined {
  const { users } = state.users({ limit: Number.MAX_SAFE_INTEGER });
  const suspended = users.find((user) => state.userTraffic(user.id)?.suspended);
  if (!suspended) return undefined;
  return { type: "liftTrafficSuspension", userId: suspended.id, actor: { kind: "api" }, at: now };
}

/**
 * What the bot proposes at `now`, as JSON: one thing, or nothing when the
 * chosen one has nothing to act on. Deliveries most often, revocations
 * seldom, so that configs live long enough to carry traffic.
 */
export function botProposals(
  state: ControlPlaneState,
  now: number,
  random: RandomSource,
): string[] {
  const action = drawn(random, [
    [outboxDelivery, 50],
    [onALiveConfig(download), 25],
    [suspensionLift, 15],
    [onALiveConfig(revocation), 10],
  ] as const);
  const command = action(state, now, random);
  return command ? [JSON.stringify(command)] : [];
}
