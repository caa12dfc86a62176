/**
 * Cluster-wide settings: a string map with defaults and rules for the keys the
 * control plane itself reads. Any other key is free-form (the API and bot may
 * keep their own settings here).
 */
import { isValidNodeId, nodeIdRule } from "../../shared/node-id.ts";
import { parseCidr } from "./ipv4.ts";
import { LONGEST_SERVER_PREFIX } from "./subnet-layout.ts";

/** How new users get access. */
export const ACCESS_MODES = ["open", "invite", "approval"] as const;
/** open: anyone who starts the bot is active; invite: needs an invite code; approval: an admin approves. */
export type AccessMode = (typeof ACCESS_MODES)[number];

/** Values used while a known setting has never been set. */
export const SETTING_DEFAULTS = {
  accessMode: "open",
  configsPerUser: "3",
  /** 0 means configs never expire. */
  configLifetimeDays: "30",
  expiryWarningHours: "24",
  /** Every server's subnet is carved from this block; fixed once a server has registered. */
  addressPool: "10.64.0.0/10",
  /** How many new users the bot lets in per minute, all together; 0 lets nobody new in. */
  newUsersPerMinute: "120",
  /** How long a config's keys are kept for delivery at most; then they are erased, delivered or not. */
  undeliveredKeyMinutes: "15",
  /** The least time between two approval notices to one admin; 0: the next as soon as one is delivered. */
  approvalNoticeMinutes: "10",
  /** How many voters the autopilot keeps when it has that many healthy members: odd, 3 to 9. */
  voters: "5",
  /** A voter silent this long is demoted and replaced by a healthy learner. */
  deadVoterAfterSeconds: "300",
  /**
   * The members that may vote, as comma-separated node ids (at least three);
   * empty: any member. Keeps servers in places where they are likely to be
   * seized from ever voting, or leading.
   */
  voterCandidates: "",
  /** How long a join token stays good. */
  joinTokenMinutes: "60",
  /** Each user's traffic quota per period in GB (10^9 bytes, upload and download together); 0: unlimited. */
  trafficQuotaGb: "0",
  /** The day of the month (1-28, 00:00 UTC) every user's traffic count starts again. */
  trafficResetDay: "1",
  /** The least time between two traffic reports of one server. */
  trafficReportSeconds: "60",
} as const;

/** A setting the control plane itself reads. */
export type KnownSetting = keyof typeof SETTING_DEFAULTS;

const INTEGER_RANGES: Partial<Record<KnownSetting, [min: number, max: number]>> = {
  configsPerUser: [0, 100],
  configLifetimeDays: [0, 3650],
  expiryWarningHours: [0, 720],
  newUsersPerMinute: [0, 100_000],
  undeliveredKeyMinutes: [1, 1440],
  approvalNoticeMinutes: [0, 1440],
  voters: [3, 9],
  deadVoterAfterSeconds: [2, 86_400],
  joinTokenMinutes: [1, 10_080],
  trafficQuotaGb: [0, 100_000],
  trafficResetDay: [1, 28],
  trafficReportSeconds: [10, 3600],
};

/** Shortest accepted pool prefix: a /8 is as large as any private range. */
const SHORTEST_POOL_PREFIX = 8;

function isKnownSetting(key: string): key is KnownSetting {
  return Object.hasOwn(SETTING_DEFAULTS, key);
}

/** Why `value` is not acceptable for `key`, or undefined when it is. */
export function settingProblem(key: string, value: string): string | undefined {
  if (!isKnownSetting(key)) return undefined;
  if (key === "accessMode") {
    return (ACCESS_MODES as readonly string[]).includes(value)
      ? undefined
      : `accessMode must be one of ${ACCESS_MODES.join(", ")}`;
  }
  if (key === "addressPool") {
    const pool = parseCidr(value);
    if (
      !pool ||
      pool.prefixLength < SHORTEST_POOL_PREFIX ||
      pool.prefixLength > LONGEST_SERVER_PREFIX
    )
      return `addressPool must be an aligned IPv4 block from /${SHORTEST_POOL_PREFIX} to /${LONGEST_SERVER_PREFIX}, e.g. 10.64.0.0/10`;
    return undefined;
  }
  if (key === "voters" && !["3", "5", "7", "9"].includes(value))
    return "voters must be 3, 5, 7 or 9: an odd number keeps a majority after any one loss";
  if (key === "voterCandidates") return voterCandidatesProblem(value);
  const range = INTEGER_RANGES[key];
  if (range && !(/^\d{1,6}$/.test(value) && Number(value) >= range[0] && Number(value) <= range[1]))
    return `${key} must be a whole number from ${range[0]} to ${range[1]}`;
  return undefined;
}

/** The fewest voter candidates a list may name: the fewest voters a cluster keeps. */
const MIN_VOTER_CANDIDATES = 3;
const MAX_VOTER_CANDIDATES = 64;

function splitVoterCandidates(value: string): string[] {
  return value === "" ? [] : value.split(",").map((id) => id.trim());
}

function voterCandidatesProblem(value: string): string | undefined {
  const ids = splitVoterCandidates(value);
  if (ids.length === 0) return undefined;
  const invalid = ids.find((id) => !isValidNodeId(id));
  if (invalid !== undefined)
    return `voterCandidates: ${JSON.stringify(invalid)} is not a node id (${nodeIdRule})`;
  if (new Set(ids).size !== ids.length) return "voterCandidates names a member twice";
  if (ids.length < MIN_VOTER_CANDIDATES || ids.length > MAX_VOTER_CANDIDATES)
    return `voterCandidates must name ${MIN_VOTER_CANDIDATES} to ${MAX_VOTER_CANDIDATES} members (a cluster keeps at least ${MIN_VOTER_CANDIDATES} voters), or be empty for any member`;
  return undefined;
}

/** The members a `voterCandidates` value lets vote, or undefined when any member may. */
export function voterCandidatesOf(value: string): ReadonlySet<string> | undefined {
  const ids = splitVoterCandidates(value);
  return ids.length === 0 ? undefined : new Set(ids);
}

/** The value in force for a known setting: the stored one, or its default. */
export function effectiveSetting(settings: ReadonlyMap<string, string>, key: KnownSetting): string {
  return settings.get(key) ?? SETTING_DEFAULTS[key];
}

/** A known integer setting as a number. */
export function integerSetting(
  settings: ReadonlyMap<string, string>,
  key:
    | "configsPerUser"
    | "configLifetimeDays"
    | "expiryWarningHours"
    | "undeliveredKeyMinutes"
    | "approvalNoticeMinutes"
    | "voters"
    | "deadVoterAfterSeconds"
    | "joinTokenMinutes"
    | "trafficQuotaGb"
    | "trafficResetDay"
    | "trafficReportSeconds",
): number {
  return Number(effectiveSetting(settings, key));
}

/** The access mode in force. */
export function accessModeSetting(settings: ReadonlyMap<string, string>): AccessMode {
  return effectiveSetting(settings, "accessMode") as AccessMode;
}
