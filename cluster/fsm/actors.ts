/** The actors admin commands carry, and how records name them. */
import type { AdminActor } from "./commands.ts";

/** The admin API: ADMIN_API_TOKEN was checked before the command was proposed. */
export const API_ACTOR = { kind: "api" } as const;

/** The node's own environment: the leader seeds ACCESS_MODE when the cluster has no access mode yet. */
export const ENVIRONMENT_ACTOR = { kind: "environment" } as const;

/** An admin acting in the bot: apply re-checks that they still hold the role. */
export function telegramActor(userId: string): { kind: "telegram"; userId: string } {
  return { kind: "telegram", userId };
}

/** How records and notices name an actor: the admin's Telegram id, or `admin-api`. */
export function actorLabel(actor: AdminActor): string {
  return actor.kind === "telegram" ? actor.userId : "admin-api";
}
