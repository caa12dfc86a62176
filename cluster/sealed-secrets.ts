/**
 * Every secret the replicated state keeps sealed under the data keys, by
 * where it lives (see fsm/records.ts, SEALED_SECRET_KINDS): which box seals
 * it and which record it is bound to. Sealing binds a value to its record,
 * so a value copied into another record, or from a server's probe key into
 * a vantage's, does not open there.
 */
import type { DataKey } from "../shared/crypto/data-keys.ts";
import {
  SecretBox,
  type SecretBoxErrorCode,
  secretBoxPurposes,
} from "../shared/crypto/secret-box.ts";
import type { Result } from "../shared/result.ts";
import type { SealedSecretKind } from "./fsm/records.ts";

export class SealedSecrets {
  private readonly configKeys: SecretBox;
  private readonly probeTokens: SecretBox;
  private readonly probeKeys: SecretBox;
  private readonly subscriptionTokens: SecretBox;

  /** @param dataKeys DATA_KEYS, the sealing key first. */
  constructor(dataKeys: readonly DataKey[]) {
    this.configKeys = new SecretBox(dataKeys, secretBoxPurposes.configKeys);
    this.probeTokens = new SecretBox(dataKeys, secretBoxPurposes.probeTokens);
    this.probeKeys = new SecretBox(dataKeys, secretBoxPurposes.probeKeys);
    this.subscriptionTokens = new SecretBox(dataKeys, secretBoxPurposes.subscriptionTokens);
  }

  /** The data key new values are sealed under. */
  get currentKeyId(): string {
    return this.configKeys.currentKeyId;
  }

  seal(kind: SealedSecretKind, recordId: string, plaintext: string): string {
    const [box, boundTo] = this.place(kind, recordId);
    return box.seal(boundTo, plaintext);
  }

  open(
    kind: SealedSecretKind,
    recordId: string,
    sealed: string,
  ): Result<string, SecretBoxErrorCode> {
    const [box, boundTo] = this.place(kind, recordId);
    return box.open(boundTo, sealed);
  }

  /** The id of the data key that sealed `sealed`. */
  keyIdOf(sealed: string): string | undefined {
    return this.configKeys.keyIdOf(sealed);
  }

  private place(kind: SealedSecretKind, recordId: string): [SecretBox, string] {
    switch (kind) {
      case "configDeliveryKeys":
        return [this.configKeys, recordId];
      case "vantageToken":
        return [this.probeTokens, recordId];
      case "vantageProbeKey":
        return [this.probeKeys, `vantage:${recordId}`];
      case "serverProbeKey":
        return [this.probeKeys, `server:${recordId}`];
      case "subscriptionToken":
        return [this.subscriptionTokens, `user:${recordId}`];
      case "serverShadowsocksProbe":
        return [this.probeKeys, `server-shadowsocks:${recordId}`];
    }
  }
}
