/**
 * What each command gives back when it takes effect, by command type: the
 * value of its handler's result. A caller that proposes a command gets this
 * type from the command's own `type`, with no cast.
 */
import type { Applied } from "./apply-result.ts";
import type { claimBackupSlot, setBackupPassphrase } from "./backup-commands.ts";
import type { ControlPlaneCommandInput } from "./commands.ts";
import type { issueConfig, revokeConfig } from "./config-commands.ts";
import type {
  eraseConfigKeys,
  rekeyConfig,
  sealServerPresharedKeys,
} from "./config-key-commands.ts";
import type { expireConfigs } from "./expiry-sweep.ts";
import type { createInvite, deleteInvite, redeemInvite } from "./invite-commands.ts";
import type { cancelJoinToken, createJoinToken, redeemJoinToken } from "./join-token-commands.ts";
import type { removeMember } from "./member-removal-commands.ts";
import type { recordMembershipChange } from "./membership-event-commands.ts";
import type { pinNodeKey, replaceNodeKey, revokeNodeKey } from "./node-key-commands.ts";
import type { broadcast, markOutboxDelivered, markOutboxFailed } from "./outbox-commands.ts";
import type { resealSecrets } from "./secret-reseal-commands.ts";
import type {
  registerServer,
  reportServerLoad,
  setProbePeer,
  setServerEndpoint,
  setShadowsocksProbe,
} from "./server-commands.ts";
import type { recordVerdict, setServerStatus } from "./server-status-commands.ts";
import type { setSetting } from "./setting-commands.ts";
import type { issueSubscription } from "./subscription-commands.ts";
import type {
  liftTrafficSuspension,
  reportTraffic,
  setUserQuota,
  startTrafficPeriod,
} from "./traffic-commands.ts";
import type { setUserRole, setUserStatus, upsertUser } from "./user-commands.ts";
import type { addVantageProbe, removeVantageProbe } from "./vantage-probe-commands.ts";

/** The value a handler returns when its command takes effect. */
type ValueOf<Handler extends (...args: never[]) => unknown> =
  ReturnType<Handler> extends infer Result
    ? Result extends Applied<infer Value>
      ? Value
      : never
    : never;

export interface CommandResults {
  setSetting: ValueOf<typeof setSetting>;
  registerServer: ValueOf<typeof registerServer>;
  setServerEndpoint: ValueOf<typeof setServerEndpoint>;
  setServerStatus: ValueOf<typeof setServerStatus>;
  setProbePeer: ValueOf<typeof setProbePeer>;
  setShadowsocksProbe: ValueOf<typeof setShadowsocksProbe>;
  reportServerLoad: ValueOf<typeof reportServerLoad>;
  recordVerdict: ValueOf<typeof recordVerdict>;
  upsertUser: ValueOf<typeof upsertUser>;
  setUserRole: ValueOf<typeof setUserRole>;
  setUserStatus: ValueOf<typeof setUserStatus>;
  createInvite: ValueOf<typeof createInvite>;
  redeemInvite: ValueOf<typeof redeemInvite>;
  deleteInvite: ValueOf<typeof deleteInvite>;
  issueConfig: ValueOf<typeof issueConfig>;
  revokeConfig: ValueOf<typeof revokeConfig>;
  rekeyConfig: ValueOf<typeof rekeyConfig>;
  sealServerPresharedKeys: ValueOf<typeof sealServerPresharedKeys>;
  issueSubscription: ValueOf<typeof issueSubscription>;
  eraseConfigKeys: ValueOf<typeof eraseConfigKeys>;
  resealSecrets: ValueOf<typeof resealSecrets>;
  expireConfigs: ValueOf<typeof expireConfigs>;
  addVantageProbe: ValueOf<typeof addVantageProbe>;
  removeVantageProbe: ValueOf<typeof removeVantageProbe>;
  markOutboxDelivered: ValueOf<typeof markOutboxDelivered>;
  markOutboxFailed: ValueOf<typeof markOutboxFailed>;
  broadcast: ValueOf<typeof broadcast>;
  pinNodeKey: ValueOf<typeof pinNodeKey>;
  replaceNodeKey: ValueOf<typeof replaceNodeKey>;
  revokeNodeKey: ValueOf<typeof revokeNodeKey>;
  createJoinToken: ValueOf<typeof createJoinToken>;
  redeemJoinToken: ValueOf<typeof redeemJoinToken>;
  cancelJoinToken: ValueOf<typeof cancelJoinToken>;
  removeMember: ValueOf<typeof removeMember>;
  recordMembershipChange: ValueOf<typeof recordMembershipChange>;
  setBackupPassphrase: ValueOf<typeof setBackupPassphrase>;
  claimBackupSlot: ValueOf<typeof claimBackupSlot>;
  acknowledgeUpdate: { updateId: number };
  markUpdatesAnswered: { marked: number };
  reportTraffic: ValueOf<typeof reportTraffic>;
  setUserQuota: ValueOf<typeof setUserQuota>;
  liftTrafficSuspension: ValueOf<typeof liftTrafficSuspension>;
  startTrafficPeriod: ValueOf<typeof startTrafficPeriod>;
}

/** The result value of `Command`. */
export type ResultOf<Command extends Pick<ControlPlaneCommandInput, "type">> =
  CommandResults[Command["type"]];

/**
 * A committed command's answer. A repeat (the same Telegram update or
 * idempotency key again) carries the first answer when the first command was
 * of the same kind, and no value when the update was first handled otherwise
 * (say, acknowledged by the rate limiter).
 */
export type CommandAnswer<Command extends Pick<ControlPlaneCommandInput, "type">> =
  | { duplicate: false; value: ResultOf<Command> }
  | { duplicate: true; value: ResultOf<Command> | undefined };
