/**
 * The HTTP agent that sends the bot's Telegram traffic through TELEGRAM_PROXY,
 * for servers in networks that block Telegram. Every request, to the Bot API
 * or a self-hosted Bot API server alike, goes through a tunnel the proxy
 * opens (SOCKS5, or HTTP CONNECT to an http:// or https:// proxy), so TLS to
 * Telegram stays end to end and the proxy sees only where the bot connects.
 */
import type { Agent } from "node:http";
import { HttpsProxyAgent } from "https-proxy-agent";
import { SocksProxyAgent } from "socks-proxy-agent";

/**
 * An agent for `proxyUrl` (validated by TELEGRAM_PROXY's schema). It keeps
 * tunnels open between calls, as grammY's own agent keeps connections.
 */
export function telegramProxyAgent(proxyUrl: string): Agent {
  const url = new URL(proxyUrl);
  if (url.protocol === "socks5:" || url.protocol === "socks5h:")
    return new SocksProxyAgent(url, { keepAlive: true });
  return new HttpsProxyAgent(url, { keepAlive: true });
}
