/**
 * Applying a data-key rotation step: the leader re-sealed values under the
 * current data key (cluster/secret-resealing.ts). Each item replaces exactly
 * the value it was made from, so a value changed meanwhile (a config
 * re-keyed, a probe removed) is left alone and counted as stale.
 */
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import type { SealedSecretKind } from "./records.ts";

/** One value sealed under the data keys, where it lives and as it is now. */
export interface SealedSecret {
  kind: SealedSecretKind;
  recordId: string;
  sealed: string;
}

/** Every value sealed under the data keys, in a fixed order. */
export function* sealedSecrets(data: ControlPlaneData): Generator<SealedSecret> {
  for (const probe of data.vantageProbes.values()) {
    yield { kind: "vantageToken", recordId: probe.id, sealed: probe.tokenEncrypted };
    if (probe.probePrivateKeyEncrypted !== null)
      yield { kind: "vantageProbeKey", recordId: probe.id, sealed: probe.probePrivateKeyEncrypted };
  }
  for (const server of data.servers.values()) {
    if (server.probePeer)
      yield {
        kind: "serverProbeKey",
        recordId: server.id,
        sealed: server.probePeer.privateKeyEncrypted,
      };
    if (server.shadowsocksProbe)
      yield {
        kind: "serverShadowsocksProbe",
        recordId: server.id,
        sealed: server.shadowsocksProbe.passwordSealed,
      };
  }
  for (const configId of data.configIdsWithDeliveryKeys())
    yield {
      kind: "configDeliveryKeys",
      recordId: configId,
      sealed: data.configs.get(configId)!.deliveryKeysSealed!,
    };
  for (const subscription of data.subscriptions.values())
    yield {
      kind: "subscriptionToken",
      recordId: subscription.userId,
      sealed: subscription.tokenSealed,
    };
}

/** Replaces `from` with `to` where it still is. */
function replace(data: ControlPlaneData, item: CommandOf<"resealSecrets">["items"][number]) {
  switch (item.kind) {
    case "vantageToken": {
      const probe = data.vantageProbes.get(item.recordId);
      if (probe?.tokenEncrypted !== item.from) return false;
      probe.tokenEncrypted = item.to;
      return true;
    }
    case "vantageProbeKey": {
      const probe = data.vantageProbes.get(item.recordId);
      if (!probe || probe.probePrivateKeyEncrypted !== item.from) return false;
      probe.probePrivateKeyEncrypted = item.to;
      return true;
    }
    case "serverProbeKey": {
      const peer = data.servers.get(item.recordId)?.probePeer;
      if (peer?.privateKeyEncrypted !== item.from) return false;
      peer.privateKeyEncrypted = item.to;
      return true;
    }
    case "serverShadowsocksProbe": {
      const probe = data.servers.get(item.recordId)?.shadowsocksProbe;
      if (probe?.passwordSealed !== item.from) return false;
      probe.passwordSealed = item.to;
      return true;
    }
    case "configDeliveryKeys": {
      const config = data.configs.get(item.recordId);
      if (config?.deliveryKeysSealed !== item.from) return false;
      config.deliveryKeysSealed = item.to;
      return true;
    }
    case "subscriptionToken": {
      const subscription = data.subscriptions.get(item.recordId);
      if (subscription?.tokenSealed !== item.from) return false;
      subscription.tokenSealed = item.to;
      return true;
    }
  }
}

export function resealSecrets(data: ControlPlaneData, command: CommandOf<"resealSecrets">) {
  let resealed = 0;
  for (const item of command.items) if (replace(data, item)) resealed++;
  return applied({ resealed, stale: command.items.length - resealed });
}
