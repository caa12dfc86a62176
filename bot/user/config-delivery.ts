/**
 * Sending a config to its owner: the `.conf` as a document (a Shadowsocks
 * config's `ss://` key as a message of its own, easy to copy), its QR code
 * as a photo, then how to import it. Used for new configs, downloads and the
 * "your server changed" notification alike.
 */
import { type Api, InlineKeyboard, InputFile } from "grammy";
import {
  configFileName,
  configName,
  configNames,
} from "../../cluster/client-config/config-name.ts";
import type { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import type { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { type Config, isLive } from "../../cluster/fsm/records.ts";
import type { Messages } from "../i18n/messages.ts";
import type { QrCodeRenderer } from "../qr-code-renderer.ts";

/**
 * Every config `userId` ever had, oldest first, each with its name: the
 * names count all of them, so a name never changes and is never reused.
 */
export function namedConfigsOf(
  state: ControlPlaneState,
  userId: string,
): { config: Config; name: string }[] {
  const configs = state.configsOfUser(userId);
  const names = configNames(configs);
  return configs.map((config, index) => ({ config, name: names[index]! }));
}

/** `userId`'s live configs, oldest first, each with its name (see {@link namedConfigsOf}). */
export function namedLiveConfigsOf(
  state: ControlPlaneState,
  userId: string,
): { config: Config; name: string }[] {
  return namedConfigsOf(state, userId).filter(({ config }) => isLive(config));
}

/** The name of one config (see {@link namedConfigsOf}). */
export function configNameOf(
  state: ControlPlaneState,
  config: Pick<Config, "id" | "userId" | "serverId">,
): string {
  const ordinal = state.configsOfUser(config.userId).findIndex((own) => own.id === config.id);
  return configName(config.serverId, ordinal + 1);
}

/**
 * Sends `config` (rendered now from the replicated state, so a changed
 * endpoint is already in it) to `chatId`, with `intro` before the files when
 * given. The caller confirms the delivery (see {@link sendConfigAndForgetKeys})
 * so its private key leaves the replicated state.
 */
export async function sendConfig(
  api: Api,
  deps: { service: ControlPlaneService; qrCodes: QrCodeRenderer },
  t: Messages,
  chatId: number | string,
  config: Config,
  intro?: string,
): Promise<void> {
  const conf = deps.service.renderConf(config);
  const state = deps.service.localState;
  const region = state.server(config.serverId)?.region ?? "";
  const name = configNameOf(state, config);
  // Drawn while the first messages travel.
  const rendering = deps.qrCodes.render(conf);
  if (intro !== undefined) await api.sendMessage(chatId, intro);
  if (config.shadowsocks) {
    await api.sendMessage(chatId, t.shadowsocksKeyCaption(config.serverId, region));
    await api.sendMessage(chatId, conf);
    const qrCode = await rendering;
    if (qrCode.ok)
      await api.sendPhoto(chatId, new InputFile(qrCode.value, `${name}.png`), {
        caption: t.shadowsocksQrCaption,
      });
    await api.sendMessage(chatId, t.shadowsocksInstructions);
    return;
  }
  await api.sendDocument(chatId, new InputFile(Buffer.from(conf, "utf8"), configFileName(name)), {
    caption: t.configCaption(name, config.serverId, region),
  });
  const qrCode = await rendering;
  if (qrCode.ok)
    await api.sendPhoto(chatId, new InputFile(qrCode.value, `${name}.png`), {
      caption: t.qrCaption,
    });
  await api.sendMessage(chatId, t.instructions);
}

/**
 * Sends `config` and then has its delivery keys erased: once Telegram took
 * the files, the private key exists only in the user's chat. The erase is
 * not waited for, so the user's next update is not held up; if it cannot be
 * committed (a leader change), the undelivered-key bound erases the key later.
 */
export async function sendConfigAndForgetKeys(
  ...args: Parameters<typeof sendConfig>
): Promise<void> {
  await sendConfig(...args);
  const [, deps, , , config] = args;
  void deps.service.confirmDelivered([config.id]).catch(() => undefined);
}

/** The button that downloads config `configId` again with a new key (see my-configs.ts). */
export function downloadAgainKeyboard(t: Messages, configId: string): InlineKeyboard {
  return new InlineKeyboard().text(t.getNewConfigButton, `cfg:get:${configId}`);
}
