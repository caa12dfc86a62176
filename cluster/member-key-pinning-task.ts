/**
 * The leader commits the identity keys that members proved on first contact
 * (with the enrollment secret), and its own, as `pinNodeKey` commands: from
 * then on each member is admitted with that key alone, on every node, and
 * the cluster secret no longer makes anyone a member (see
 * transport/peer-key-book.ts). A leader task (leadership-runner.ts).
 */
import type { Logger } from "../shared/logger.ts";
import { sleep } from "../shared/sleep.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { LeaderTask } from "./leadership-runner.ts";
import type { NodeId } from "./raft/types.ts";

export interface MemberKeyPinningOptions {
  service: ControlPlaneService;
  selfId: NodeId;
  selfPublicKey: string;
  /** Keys peers proved on first contact that the committed state does not hold yet. */
  unpinnedPeerKeys: () => ReadonlyMap<NodeId, string>;
  /** How often to look for keys to pin; default a second. */
  intervalMs?: number;
  logger: Logger;
}

export class MemberKeyPinningTask implements LeaderTask {
  readonly name = "member key pinning";

  constructor(private readonly options: MemberKeyPinningOptions) {}

  async runTerm(signal: AbortSignal): Promise<void> {
    const intervalMs = this.options.intervalMs ?? 1000;
    while (!signal.aborted) {
      await this.pinOnce(signal);
      await sleep(intervalMs, signal);
    }
  }

  private async pinOnce(signal: AbortSignal): Promise<void> {
    const { service, selfId, selfPublicKey, logger } = this.options;
    const wanted = new Map(this.options.unpinnedPeerKeys());
    if (service.localState.pinnedKeyOf(selfId) === undefined) wanted.set(selfId, selfPublicKey);
    for (const [nodeId, publicKey] of wanted) {
      if (signal.aborted) return;
      try {
        const { value } = await service.run({
          type: "pinNodeKey",
          nodeId,
          publicKey,
          actor: selfId,
          at: service.now(),
        });
        if (value?.created) logger.info({ nodeId, publicKey }, "pinned a member's identity key");
      } catch (error) {
        if (!signal.aborted)
          logger.warn(
            { nodeId, err: (error as Error).message },
            "could not pin a member's identity key; retrying",
          );
      }
    }
  }
}
