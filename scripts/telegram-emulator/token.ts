/**
 * Bot tokens as Telegram issues them: the bot's numeric id, a colon, and a
 * secret of at least 35 URL-safe characters.
 */

const tokenPattern = /^(\d{1,15}):[A-Za-z0-9_-]{35,}$/;

/** The bot id a token starts with, or null when the token is not shaped like Telegram's. */
export function botIdFromToken(token: string): number | null {
  const match = tokenPattern.exec(token);
  return match ? Number(match[1]) : null;
}
