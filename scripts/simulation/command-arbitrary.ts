/**
 * Random control-plane commands over small id domains, so that sequences hit
 * every command, many refusals, collisions and state transitions: the
 * property tests' input and the simulator's workload. Each area's commands
 * come with weights that say how often a real cluster proposes them, with
 * the rare admin actions kept frequent enough to happen within a run.
 */
import fc from "fast-check";
import type { ControlPlaneCommandInput } from "../../cluster/fsm/commands.ts";
import { configCommands } from "./commands/config-arbitraries.ts";
import { membershipCommands } from "./commands/membership-arbitraries.ts";
import { messagingCommands } from "./commands/messaging-arbitraries.ts";
import { operationsCommands } from "./commands/operations-arbitraries.ts";
import { serverCommands } from "./commands/server-arbitraries.ts";
import { trafficCommands } from "./commands/traffic-arbitraries.ts";
import { userCommands } from "./commands/user-arbitraries.ts";

/** One random command; roughly a third of them are refused in a typical state. */
export const commandArbitrary: fc.Arbitrary<ControlPlaneCommandInput> = fc.oneof(
  ...serverCommands,
  ...userCommands,
  ...configCommands,
  ...trafficCommands,
  ...membershipCommands,
  ...messagingCommands,
  ...operationsCommands,
);
