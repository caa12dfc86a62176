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
  sealedKeyIdOf,
  secretBoxPurposes,
} from "../shared/crypto/secret-box.ts";
import { err, type Result } from "../shared/result.ts";
import type { SealedSecretKind } from "./fsm/records.ts";

/** Why a sealed value could not be opened here. */
export type SealedSecretErrorCode = SecretBoxErrorCode | "NO_DATA_KEYS";

/** Sealing asked of a node that holds no data keys: only a leader seals, and such a node never leads. */
export class NoDataKeysError extends Error {
  readonly code = "NO_DATA_KEYS";

  constructor() {
    super(
      "this node holds no DATA_KEYS (it joined as no voter candidate, so it never leads): it seals nothing",
    );
  }
}

interface Boxes {
  configKeys: SecretBox;
  probeTokens: SecretBox;
  probeKeys: SecretBox;
  subscriptionTokens: SecretBox;
}

export class SealedSecrets {
  /** Undefined on a node without DATA_KEYS (a member that never leads). */
  private readonly boxes: Boxes | undefined;

  /** @param dataKeys DATA_KEYS, the sealing key first; none on a node that never leads. */
  constructor(dataKeys: readonly DataKey[]) {
    this.boxes =
      dataKeys.length === 0
        ? undefined
        : {
            configKeys: new SecretBox(dataKeys, secretBoxPurposes.configKeys),
            probeTokens: new SecretBox(dataKeys, secretBoxPurposes.probeTokens),
            probeKeys: new SecretBox(dataKeys, secretBoxPurposes.probeKeys),
            subscriptionTokens: new SecretBox(dataKeys, secretBoxPurposes.subscriptionTokens),
          };
  }

  /** The data key new values are sealed under; undefined without data keys. */
  get currentKeyId(): string | undefined {
    return this.boxes?.configKeys.currentKeyId;
  }

  /** Seals `plaintext` for its record; throws {@link NoDataKeysError} on a node without data keys. */
  seal(kind: SealedSecretKind, recordId: string, plaintext: string): string {
    const [box, boundTo] = this.place(kind, recordId);
    if (!box) throw new NoDataKeysError();
    return box.seal(boundTo, plaintext);
  }

  open(
    kind: SealedSecretKind,
    recordId: string,
    sealed: string,
  ): Result<string, SealedSecretErrorCode> {
    const [box, boundTo] = this.place(kind, recordId);
    if (!box) return err("NO_DATA_KEYS", new NoDataKeysError().message);
    return box.open(boundTo, sealed);
  }

  /** The id of the data key that sealed `sealed`. */
  keyIdOf(sealed: string): string | undefined {
    return sealedKeyIdOf(sealed);
  }

  private place(kind: SealedSecretKind, recordId: string): [SecretBox | undefined, string] {
    const boxes = this.boxes;
    switch (kind) {
      case "configDeliveryKeys":
        return [boxes?.configKeys, recordId];
      case "vantageToken":
        return [boxes?.probeTokens, recordId];
      case "vantageProbeKey":
        return [boxes?.probeKeys, `vantage:${recordId}`];
      case "serverProbeKey":
        return [boxes?.probeKeys, `server:${recordId}`];
      case "subscriptionToken":
        return [boxes?.subscriptionTokens, `user:${recordId}`];
      case "serverShadowsocksProbe":
        return [boxes?.probeKeys, `server-shadowsocks:${recordId}`];
    }
  }
}
