/**
 * Sending a config to its owner: the `.conf` as a document (a Shadowsocks
 * config's `ss://` key as a message of its own, easy to copy), its QR code
 * as a photo, then how to import it. Used for new configs, downloads and the
 * "your server changed" notification alike.
 */
import { type Api, InlineKeyboard, InputFile } from "grammy";
import { clientConfigFileName } from "../../cluster/client-config/wireguard-conf.ts";
import type { ControlPlaneService } from "../../cluster/control-plane-service.ts";
import type { Config } from "../../cluster/fsm/records.ts";
import type { Messages } from "../i18n/messages.ts";
import type { QrCodeRenderer } from "../qr-code-renderer.ts";

/** The file name users see: `nexaloak-<server>.conf`, also a valid wg-quick interface name. */
export function configFileName(serverId: string): string {
  return clientConfigFileName(`nexaloak-${serverId}`);
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
  const server = deps.service.localState.server(config.serverId);
  const region = server?.region ?? "";
  // Drawn while the first messages travel.
  const rendering = deps.qrCodes.render(conf);
  if (intro !== undefined) await api.sendMessage(chatId, intro);
  if (config.shadowsocks) {
    await api.sendMessage(chatId, t.shadowsocksKeyCaption(config.serverId, region));
    await api.sendMessage(chatId, conf);
    const qrCode = await rendering;
    if (qrCode.ok)
      await api.sendPhoto(chatId, new InputFile(qrCode.value, `nexaloak-${config.serverId}.png`), {
        caption: t.shadowsocksQrCaption,
      });
    await api.sendMessage(chatId, t.shadowsocksInstructions);
    return;
  }
  await api.sendDocument(
    chatId,
    new InputFile(Buffer.from(conf, "utf8"), configFileName(config.serverId)),
    { caption: t.configCaption(config.serverId, region) },
  );
  const qrCode = await rendering;
  if (qrCode.ok)
    await api.sendPhoto(chatId, new InputFile(qrCode.value, `nexaloak-${config.serverId}.png`), {
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
