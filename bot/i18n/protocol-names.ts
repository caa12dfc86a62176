import { PROTOCOL_NAMES } from "../../cluster/fsm/records.ts";

/** A protocol's name as people read it (see PROTOCOL_NAMES); one the bot does not know, as it is. */
export function protocolName(protocol: string): string {
  return (PROTOCOL_NAMES as Readonly<Record<string, string>>)[protocol] ?? protocol;
}
