/**
 * The ACL file ss-manager hands to every ss-server (`--acl`): its
 * `[outbound_block_list]` section names the networks an ss-server refuses to
 * connect to on a client's behalf, after resolving a name (so `localhost`
 * is refused as 127.0.0.1 is). It covers TCP; ss-server's UDP relay does not
 * read it, and the UDP guard (shadowsocks-udp-guard.ts) holds that instead.
 */

/** The ACL text blocking connections to `networks` (`address/prefix` each, already validated). */
export function renderShadowsocksAcl(networks: readonly string[]): string {
  return ["[outbound_block_list]", ...networks, ""].join("\n");
}
