/** How the bot writes values in messages, the same in every language. */

/** A date as YYYY-MM-DD (UTC), unambiguous in every language the bot speaks. */
export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** A time as YYYY-MM-DD HH:MM UTC. */
export function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
