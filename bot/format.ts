/** How the bot writes values in messages, the same in every language. */

/** A date as YYYY-MM-DD (UTC), unambiguous in every language the bot speaks. */
export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** A time as YYYY-MM-DD HH:MM UTC. */
export function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Bytes in decimal units (1 GB = 10^9 bytes, as quotas count them), with one
 * decimal below 100 of a unit, none when it is 0: `0 B`, `950 B`, `1.5 KB`, `2 MB`, `512 MB`, `12.3 GB`.
 */
export function formatBytes(bytes: number, units: readonly string[]): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = String(unit === 0 || value >= 100 ? Math.round(value) : Number(value.toFixed(1)));
  return `${shown} ${units[unit]}`;
}
