import { z } from "zod";
import type { ErrorValue } from "../../shared/result.ts";
import type { StateMachine } from "../state-machine.ts";

/** Commands the control plane accepts through Raft. Everything they need travels inside them. */
export const controlPlaneCommandSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("setSetting"),
    key: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
    value: z.string().max(4096),
  }),
]);

export type ControlPlaneCommand = z.infer<typeof controlPlaneCommandSchema>;

export type ApplyResult =
  | { ok: true; value: unknown }
  | { ok: false; error: ErrorValue<"INVALID_COMMAND"> };

interface SnapshotV1 {
  version: 1;
  settings: Record<string, string>;
}

/**
 * The replicated control-plane state. Apply is deterministic and refuses an
 * invalid command with a reason, changing nothing.
 */
export class ControlPlaneState implements StateMachine<ApplyResult> {
  private settings = new Map<string, string>();

  apply(command: string, _index: number): ApplyResult {
    let json: unknown;
    try {
      json = JSON.parse(command);
    } catch {
      return { ok: false, error: { code: "INVALID_COMMAND", message: "command is not JSON" } };
    }
    const parsed = controlPlaneCommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join(".") || "command";
      return {
        ok: false,
        error: { code: "INVALID_COMMAND", message: `${where}: ${issue?.message ?? "invalid"}` },
      };
    }
    const valid = parsed.data;
    switch (valid.type) {
      case "setSetting":
        this.settings.set(valid.key, valid.value);
        return { ok: true, value: { key: valid.key, value: valid.value } };
    }
  }

  getSetting(key: string): string | undefined {
    return this.settings.get(key);
  }

  allSettings(): Record<string, string> {
    return Object.fromEntries([...this.settings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  snapshot(): string {
    const data: SnapshotV1 = { version: 1, settings: this.allSettings() };
    return JSON.stringify(data);
  }

  restore(data: string): void {
    this.settings = new Map();
    if (data === "") return;
    const parsed = JSON.parse(data) as SnapshotV1;
    if (parsed.version !== 1)
      throw new Error(`unsupported control-plane snapshot version ${parsed.version}`);
    this.settings = new Map(Object.entries(parsed.settings));
  }
}
