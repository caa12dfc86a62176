/** Applying `setSetting`. */

import type { ApplyContext } from "./apply-context.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";
import { effectiveSetting, settingProblem } from "./settings.ts";
import { endSuspensionsNoLongerHeld } from "./traffic-commands.ts";

/**
 * Sets one setting. Known keys must hold valid values; the address pool is
 * fixed once a server has a subnet from it, since moving subnets would break
 * every issued config. A higher (or unlimited) default traffic quota ends
 * the suspensions it no longer holds.
 */
export function setSetting(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"setSetting">,
) {
  const problem = settingProblem(command.key, command.value);
  if (problem) return refuse("INVALID_SETTING", problem);
  if (
    command.key === "addressPool" &&
    data.servers.size > 0 &&
    command.value !== effectiveSetting(data.settings, "addressPool")
  ) {
    return refuse(
      "POOL_IN_USE",
      `servers already have subnets in ${effectiveSetting(data.settings, "addressPool")}; the address pool can only change before the first server registers`,
    );
  }
  data.settings.set(command.key, command.value);
  if (command.key === "trafficQuotaGb") endSuspensionsNoLongerHeld(data, context);
  return applied({ key: command.key, value: command.value });
}
