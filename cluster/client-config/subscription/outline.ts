/**
 * Outline's dynamic access key (what an `ssconf://` URL fetches): one
 * Shadowsocks server as JSON. Outline speaks Shadowsocks only and takes a
 * single server, so it gets the first Shadowsocks entry; without one it gets
 * the error object Outline shows to the user.
 */
import {
  type RenderedSubscription,
  type SubscriptionEntry,
  shadowsocksEntries,
} from "./entries.ts";

export function renderOutline(entries: readonly SubscriptionEntry[]): RenderedSubscription {
  const first = shadowsocksEntries(entries)[0];
  const body = first
    ? {
        server: first.host,
        server_port: first.port,
        password: first.password,
        method: first.method,
      }
    : {
        error: {
          message: "No Shadowsocks server is available for you right now.",
          details: "Ask the bot for a Shadowsocks config, or try again later.",
        },
      };
  return { body: JSON.stringify(body), contentType: "application/json; charset=utf-8" };
}
