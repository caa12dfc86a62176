/** How users and admins read a protocol's name, in every language. */
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  wireguard: "WireGuard",
  amneziawg: "AmneziaWG",
  shadowsocks: "Shadowsocks",
};

/** The protocol's display name; an unknown one as it is. */
export function protocolName(protocol: string): string {
  return PROTOCOL_NAMES[protocol] ?? protocol;
}
