/**
 * A config's delivery copy of its keys (see fsm/records.ts, Config): the
 * client private key and preshared key, sealed together under the data keys
 * and bound to the config's id. Sealed by the proposer, opened by whoever
 * renders the `.conf` and by the leader sealing the server's copy.
 */
import type { Config } from "./fsm/records.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";

export interface DeliveryKeys {
  privateKey: string;
  presharedKey: string;
}

/** Seals `keys` for config `configId`. */
export function sealDeliveryKeys(
  sealing: SealedSecrets,
  configId: string,
  keys: DeliveryKeys,
): string {
  return sealing.seal("configDeliveryKeys", configId, JSON.stringify(keys));
}

/** The config's delivery keys, or undefined when erased, unreadable with these data keys, or malformed. */
export function openDeliveryKeys(
  sealing: SealedSecrets,
  config: Pick<Config, "id" | "deliveryKeysSealed">,
): DeliveryKeys | undefined {
  if (config.deliveryKeysSealed === null) return undefined;
  const opened = sealing.open("configDeliveryKeys", config.id, config.deliveryKeysSealed);
  if (!opened.ok) return undefined;
  try {
    const value: unknown = JSON.parse(opened.value);
    const keys = value as Partial<DeliveryKeys> | null;
    if (typeof keys?.privateKey === "string" && typeof keys.presharedKey === "string")
      return { privateKey: keys.privateKey, presharedKey: keys.presharedKey };
  } catch {}
  return undefined;
}
