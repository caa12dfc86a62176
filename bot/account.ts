/** Small readings of the replicated state about users, shared by the flows. */

import type { ControlPlaneState } from "../cluster/fsm/control-plane.ts";
import type { User } from "../cluster/fsm/records.ts";
import type { AccessMode } from "../cluster/fsm/settings.ts";

/** The access mode in force. */
export function accessModeOf(state: ControlPlaneState): AccessMode {
  return state.setting("accessMode") as AccessMode;
}

/** Whether this record belongs to an admin who may use admin commands now. */
export function isActiveAdmin(user: User | undefined): boolean {
  return user?.role === "admin" && user.status === "active";
}

/** A Telegram user's display name as the replicated state keeps it (at most 256 characters). */
export function displayName(from: { first_name: string; last_name?: string }): string {
  return [from.first_name, from.last_name ?? ""].join(" ").trim().slice(0, 256);
}
