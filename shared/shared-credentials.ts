/**
 * The values of the variables every member shares (`sharedByCluster` in
 * env-variables.ts) as this node runs with them: what a node joining through
 * a token receives. The admin token travels as its digests only, so the new
 * node can check it without anyone handing the token itself around.
 */
import { type EnvVariable, envNames, envVariables } from "./env-variables.ts";

export function sharedCredentials(
  env: NodeJS.ProcessEnv,
  adminApiTokenSha256s: readonly string[],
): Record<string, string> {
  const shared: Record<string, string> = {};
  for (const name of envNames) {
    const variable: EnvVariable<unknown> = envVariables[name];
    if (!variable.sharedByCluster) continue;
    const raw = env[name];
    if (name === "ADMIN_API_TOKEN")
      shared[name] = adminApiTokenSha256s.map((digest) => `sha256:${digest}`).join(",");
    else if (raw) shared[name] = raw;
  }
  return shared;
}
