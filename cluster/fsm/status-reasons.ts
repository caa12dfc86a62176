/**
 * The reasons a server's status is recorded with when nobody wrote one: the
 * bot's and the admin API's defaults for /ban, /unban, /drain and removals,
 * and what apply writes itself. They are recorded in English, as the admin
 * API shows them; the bot reads them back (statusReasonOf) to say them in an
 * admin's language. A ban check's evidence, and an admin's own words, are
 * none of these. Reasons only an active server carries ("registered",
 * "checks pass again") are never shown in the bot, and are not here.
 */

export const STATUS_ACTIONS = ["ban", "unban", "drain", "activate"] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

export type StatusReason =
  /** An admin set the status without a reason, in the bot or through the admin API. */
  | { kind: "setByAdmin"; action: StatusAction; through: "bot" | "api" }
  /** An admin removed the server from the cluster without a reason. */
  | { kind: "removedByAdmin" }
  /** A restore brought the server back; it is down until its node registers again. */
  | { kind: "restoredFromBackup" }
  /** Ban checks found it down, and their verdict carried no evidence. */
  | { kind: "notAnswering" }
  /** Ban checks banned it, and their verdict carried no evidence. */
  | { kind: "filteredInARow"; checks: number };

const BY = { bot: "an admin", api: "the admin API" } as const;

/** The text `reason` is recorded as. */
export function statusReasonText(reason: StatusReason): string {
  switch (reason.kind) {
    case "setByAdmin":
      return `${reason.action} by ${BY[reason.through]}`;
    case "removedByAdmin":
      return "removed by an admin";
    case "restoredFromBackup":
      return "restored from a backup: its node must register again";
    case "notAnswering":
      return "not answering";
    case "filteredInARow":
      return `filtered in ${reason.checks} consecutive checks`;
  }
}

const FIXED: readonly StatusReason[] = [
  { kind: "removedByAdmin" },
  { kind: "restoredFromBackup" },
  { kind: "notAnswering" },
];

/** The reason a recorded text is, or undefined for any other text. */
export function statusReasonOf(text: string): StatusReason | undefined {
  const setBy = /^(ban|unban|drain|activate) by (an admin|the admin API)$/.exec(text);
  if (setBy)
    return {
      kind: "setByAdmin",
      action: setBy[1] as StatusAction,
      through: setBy[2] === BY.bot ? "bot" : "api",
    };
  const filtered = /^filtered in ([1-9][0-9]*) consecutive checks$/.exec(text);
  if (filtered) return { kind: "filteredInARow", checks: Number(filtered[1]) };
  return FIXED.find((reason) => statusReasonText(reason) === text);
}
