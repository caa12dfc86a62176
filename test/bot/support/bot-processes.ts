/**
 * The bot on real node processes: a three-node harness cluster whose nodes
 * run the bot against one local Bot API emulator that enforces Telegram's
 * flood limits. For the failover suites, which kill, freeze and restart the
 * nodes; the in-process clusters of bot-cluster.ts cannot be killed.
 */
import {
  type Cluster,
  type ClusterOptions,
  withCluster,
} from "../../../scripts/lib/cluster-harness.ts";
import {
  createTelegramEmulator,
  TELEGRAM_FLOOD_LIMITS,
  type TelegramEmulator,
} from "../../../scripts/telegram-emulator/emulator.ts";
import { TOKEN } from "./bot-cluster.ts";

/** Public addresses (documentation range) for the three servers, as registered servers need. */
export const SERVER_HOSTS: NonNullable<ClusterOptions["nodeEnv"]> = {
  n1: { PUBLIC_HOST: "198.51.100.1" },
  n2: { PUBLIC_HOST: "198.51.100.2" },
  n3: { PUBLIC_HOST: "198.51.100.3" },
};

/**
 * Runs `body` with the emulator and the cluster, and stops both however it
 * ends; on a failure the nodes' last lines go to stderr first (withCluster).
 */
export async function withBotProcesses<Value>(
  options: Omit<ClusterOptions, "size">,
  body: (cluster: Cluster, emulator: TelegramEmulator) => Promise<Value>,
): Promise<Value> {
  const emulator = await createTelegramEmulator({
    tokens: [TOKEN],
    firstUpdateId: Date.now(),
    floodLimits: TELEGRAM_FLOOD_LIMITS,
  });
  try {
    return await withCluster(
      {
        ...options,
        size: 3,
        env: { ...options.env, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot },
      },
      (cluster) => body(cluster, emulator),
    );
  } finally {
    await emulator.stop();
  }
}
