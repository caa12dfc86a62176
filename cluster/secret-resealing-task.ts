/**
 * Data-key rotation, the leader's part (a leader task, see
 * leadership-runner.ts): every value in the replicated state sealed under a
 * data key other than the current one (the first in DATA_KEYS) is opened and
 * sealed again under the current key, a batch per command. Each item replaces
 * exactly the value it was made from, so a value changed meanwhile is left
 * for the next pass. Once GET /v1/data-keys counts nothing under the old
 * key, it can leave DATA_KEYS.
 */
import type { Logger } from "../shared/logger.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { SealedSecretKind } from "./fsm/records.ts";
import { type LeaderTask, passEachInterval } from "./leadership-runner.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";

const BATCH = 200;

export interface SecretResealingOptions {
  service: ControlPlaneService;
  sealing: SealedSecrets;
  intervalMs: number;
  logger: Logger;
}

export class SecretResealingTask implements LeaderTask {
  readonly name = "data key re-sealing";
  /** Values that would not open, so the log names each once. */
  private readonly unreadable = new Set<string>();

  constructor(private readonly options: SecretResealingOptions) {}

  runTerm(signal: AbortSignal): Promise<void> {
    const failure = "re-sealing under the current data key failed; retrying";
    return passEachInterval(signal, { ...this.options, failure }, () => this.resealBatch(signal));
  }

  private async resealBatch(signal: AbortSignal): Promise<void> {
    const { service, sealing, logger } = this.options;
    const current = sealing.currentKeyId;
    // A node without data keys never leads; should it ever, it has nothing to re-seal with.
    if (current === undefined) return;
    const items: Array<{ kind: SealedSecretKind; recordId: string; from: string; to: string }> = [];
    for (const secret of service.localState.sealedSecrets()) {
      if (items.length >= BATCH) break;
      if (sealing.keyIdOf(secret.sealed) === current) continue;
      const opened = sealing.open(secret.kind, secret.recordId, secret.sealed);
      if (!opened.ok) {
        const name = `${secret.kind}/${secret.recordId}`;
        if (!this.unreadable.has(name)) {
          this.unreadable.add(name);
          logger.error(
            { kind: secret.kind, recordId: secret.recordId, code: opened.error.code },
            opened.error.message,
          );
        }
        continue;
      }
      items.push({
        kind: secret.kind,
        recordId: secret.recordId,
        from: secret.sealed,
        to: sealing.seal(secret.kind, secret.recordId, opened.value),
      });
    }
    if (items.length === 0 || signal.aborted) return;
    const { value } = await service.run({ type: "resealSecrets", items, at: service.now() });
    if (value)
      logger.info({ ...value, keyId: current }, "re-sealed values under the current data key");
  }
}
