/**
 * A server's protocols as /server shows them: each protocol the ban checks
 * judge on it one by one, and whether they closed it there
 * (cluster/fsm/protocol-blocks.ts). A server that offers one protocol is
 * judged as a whole, so it has none to show.
 */
import {
  type BlockedProtocol,
  OFFERED_PROTOCOLS,
  type OfferedProtocol,
  type Server,
} from "../../cluster/fsm/records.ts";

export interface ProtocolState {
  protocol: OfferedProtocol;
  /** Null while the protocol works there. */
  blocked: BlockedProtocol | null;
}

/** The protocols of `server` judged one by one, in OFFERED_PROTOCOLS order; empty for a server with one. */
export function protocolStates(
  server: Pick<Server, "protocols" | "blockedProtocols">,
): ProtocolState[] {
  const states = OFFERED_PROTOCOLS.map((protocol) => ({
    protocol,
    blocked: server.blockedProtocols.find((entry) => entry.protocol === protocol) ?? null,
  })).filter(({ protocol, blocked }) => blocked !== null || server.protocols.includes(protocol));
  return states.length > 1 ? states : [];
}
