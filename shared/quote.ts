const defaultMaxChars = 60;

/**
 * Quotes operator input for an error message: JSON-escaped, so control
 * characters cannot break the message's lines, and shortened, so a pasted
 * blob does not bury the rest of the message. Never use it on secrets.
 */
export function quote(text: string, maxChars = defaultMaxChars): string {
  return JSON.stringify(text.length > maxChars ? `${text.slice(0, maxChars)}...` : text);
}
