/**
 * The one proposal each Telegram update makes. Every effect of an update
 * travels in a single command carrying the update's id, so apply acts on it
 * once however often Telegram delivers it, and answers a repeat with the
 * first result; an update that changes nothing proposes `acknowledgeUpdate`,
 * which still advances the replicated offset.
 */
import type { ControlPlaneService } from "../cluster/control-plane-service.ts";
import type { CommandAnswer } from "../cluster/fsm/command-results.ts";
import type { ControlPlaneCommandInput } from "../cluster/fsm/commands.ts";
import { SessionEndedError } from "./api-guard.ts";

/** Commands a bot update can carry, written without the `updateId` the update supplies. */
export type UpdateCommand = ControlPlaneCommandInput extends infer Command
  ? Command extends { updateId?: unknown }
    ? "updateId" extends keyof Command
      ? Omit<Command, "updateId">
      : never
    : never
  : never;

/** Proposes the single effect of one update while the session lasts. */
export class UpdateEffects {
  private proposedAlready = false;
  private readonly deferred: Array<() => void> = [];

  constructor(
    readonly updateId: number,
    private readonly service: ControlPlaneService,
    private readonly session: AbortSignal,
    /** Told once the proposal has settled (committed or failed). */
    private readonly onSettled: () => void,
  ) {}

  /**
   * Whether an earlier delivery of this update had its effect committed (by
   * this leader or a former one). Handlers whose effects live outside the
   * replicated state check it so a re-delivery does not act again. The
   * session confirmed its leadership with a ReadIndex round before its first
   * poll, so everything earlier leaders committed is applied here.
   */
  get handledBefore(): boolean {
    return this.service.localState.wasUpdateHandled(this.updateId);
  }

  /** Whether this update has made its proposal. */
  get proposed(): boolean {
    return this.proposedAlready;
  }

  /**
   * Proposes through `submit`, which gets the update id to put in its
   * command. Resolves once applied; rejects with the refusal. A second
   * proposal for the same update is a bug and throws.
   */
  async propose<Value>(submit: (updateId: number) => Promise<Value>): Promise<Value> {
    if (this.proposedAlready)
      throw new Error(`update ${this.updateId} already made its one proposal`);
    this.proposedAlready = true;
    try {
      if (this.session.aborted) throw new SessionEndedError(`update ${this.updateId}'s proposal`);
      return await submit(this.updateId);
    } finally {
      this.onSettled();
    }
  }

  /** Proposes `command` with this update's id; the result is typed from the command's type. */
  run<Command extends UpdateCommand>(command: Command): Promise<CommandAnswer<Command>> {
    return this.propose(async (updateId) => {
      // Adding the update id gives back the command type UpdateCommand left it out of.
      const withUpdate = { ...command, updateId } as unknown as ControlPlaneCommandInput;
      return (await this.service.run(withUpdate)) as CommandAnswer<Command>;
    });
  }

  /**
   * Records that the update was answered without changing anything else;
   * `duplicate` when an earlier delivery of it was recorded already.
   */
  acknowledge(): Promise<CommandAnswer<{ type: "acknowledgeUpdate" }>> {
    return this.run({ type: "acknowledgeUpdate", at: this.service.now() });
  }

  /**
   * Defers an effect that lives outside the replicated state (such as
   * handing leadership over) until the update is settled: its proposal
   * committed, its handler done, and Telegram told (see
   * bot-session.ts). Acting earlier would let the next leader receive the
   * same update and act again. The effect never runs once the session ended.
   */
  afterSettled(effect: () => void): void {
    this.deferred.push(effect);
  }

  /** The effects deferred with afterSettled, in order. */
  get deferredEffects(): readonly (() => void)[] {
    return this.deferred;
  }
}
