/**
 * Why the control plane refuses a command. Codes are stable (the API and the
 * bot map them to answers); messages say what to do.
 */
import { type ErrorValue, err } from "../../shared/result.ts";

/** Every reason apply can give for refusing a command. */
export type ControlPlaneErrorCode =
  /** Not JSON, an unknown type, a missing or unknown field, or a value of the wrong form. */
  | "INVALID_COMMAND"
  | "INVALID_SETTING"
  | "UNKNOWN_SERVER"
  | "UNKNOWN_USER"
  | "UNKNOWN_CONFIG"
  | "UNKNOWN_INVITE"
  | "UNKNOWN_PROBE"
  | "UNKNOWN_OUTBOX_ENTRY"
  | "USER_NOT_ACTIVE"
  | "USER_BLOCKED"
  | "CONFIG_LIMIT_REACHED"
  | "NO_CAPACITY"
  | "NO_CAPACITY_IN_REGION"
  /** No active server offers the protocol asked for. */
  | "PROTOCOL_NOT_OFFERED"
  /** A registration whose Shadowsocks settings are missing, overlap its other ports, or drop live configs' ports. */
  | "SHADOWSOCKS_PORTS_INVALID"
  | "NOT_OWNER"
  | "CONFIG_ALREADY_REVOKED"
  | "DUPLICATE_CONFIG_ID"
  | "DUPLICATE_PUBLIC_KEY"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INVITE_EXISTS"
  | "INVITE_USED_UP"
  | "PROBE_EXISTS"
  | "INVALID_PROBE_KEY"
  /** A fingerprint with a URL that is not https://, or `insecure` with one that is not http://. */
  | "INVALID_PROBE_TRANSPORT"
  | "POOL_EXHAUSTED"
  | "POOL_IN_USE"
  | "CAPACITY_EXCEEDS_SUBNET"
  | "STALE_ROUND"
  | "NOT_OWN_SERVER"
  | "BAD_SERVER_KEY_SIGNATURE"
  | "FORWARDED_COMMAND_REFUSED"
  | "NODE_KEY_PINNED"
  | "NODE_KEY_REVOKED"
  | "NODE_KEY_IN_USE"
  | "UNKNOWN_NODE_KEY"
  | "UPDATE_TOO_OLD"
  /** Join tokens (join-token-commands.ts). */
  | "NODE_ID_TAKEN"
  | "INVALID_EXPIRY"
  | "TOO_MANY_JOIN_TOKENS"
  | "UNKNOWN_JOIN_TOKEN"
  | "JOIN_TOKEN_CANCELLED"
  | "JOIN_TOKEN_USED"
  | "JOIN_TOKEN_EXPIRED"
  | "JOIN_TOKEN_FORGED"
  /** Removing members (member-removal-commands.ts). */
  | "UNKNOWN_MEMBER"
  | "MEMBER_REMOVED"
  /** Traffic reports and quotas (traffic-commands.ts). */
  | "TRAFFIC_REPORT_TOO_SOON"
  | "TRAFFIC_REPORT_INVALID"
  | "TRAFFIC_QUOTA_EXCEEDED"
  | "NOT_SUSPENDED"
  | "INVALID_PERIOD"
  /** An admin command for a Telegram user who is no longer an active admin at its log position. */
  | "NOT_AN_ADMIN";

/** A refusal's code and message. */
export type ControlPlaneError = ErrorValue<ControlPlaneErrorCode>;

/** A refusal: the command changes nothing and the proposer gets this reason. */
export type Refusal = { ok: false; error: ControlPlaneError };

/** Builds a refusal. */
export function refuse(code: ControlPlaneErrorCode, message: string): Refusal {
  return err(code, message);
}

/** The refusal for a server id nobody registered. */
export function unknownServer(serverId: string): Refusal {
  return refuse("UNKNOWN_SERVER", `no server ${serverId} is registered; see the servers list`);
}

/** The refusal for a user id never seen. */
export function unknownUser(userId: string): Refusal {
  return refuse("UNKNOWN_USER", `no user ${userId} is known; the user must start the bot first`);
}
