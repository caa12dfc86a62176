import type { ControlPlaneService } from "../control-plane-service.ts";
import type { SealedSecrets } from "../sealed-secrets.ts";
import { failureResponse } from "./respond.ts";
import type { Router } from "./router.ts";

/**
 * `GET /v1/data-keys`: the data key new values are sealed under here, and how
 * many values in the replicated state each key id sealed. During a rotation
 * the leader re-seals values under the new key; once no value counts under
 * the old key, it can leave DATA_KEYS on every node.
 */
export function addDataKeyRoutes(
  router: Router,
  service: ControlPlaneService,
  sealing: SealedSecrets,
): void {
  router.add("GET", "/v1/data-keys", async () => {
    try {
      const state = await service.read();
      const sealedValues: Record<string, number> = {};
      for (const secret of state.sealedSecrets()) {
        const keyId = sealing.keyIdOf(secret.sealed) ?? "unreadable";
        sealedValues[keyId] = (sealedValues[keyId] ?? 0) + 1;
      }
      return { status: 200, body: { sealingKey: sealing.currentKeyId, sealedValues } };
    } catch (error) {
      return failureResponse(error);
    }
  });
}
