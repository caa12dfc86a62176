/**
 * A QR code of a client config, which the WireGuard and AmneziaWG mobile apps
 * import with their "scan from QR code" button.
 */
import QRCode from "qrcode";
import { err, ok, type Result } from "../../shared/result.ts";

/** How to draw a QR code. */
export interface QrCodeOptions {
  /** Image width and height in pixels; default 640, enough to survive Telegram's photo recompression. */
  widthPx?: number;
}

const defaultWidthPx = 640;

/**
 * Renders `text` as a PNG QR code. Medium error correction keeps a config of
 * about 400 bytes (600 with AmneziaWG fields) at a size phone cameras read off
 * another screen. Fails only for text too long for any QR code (over about 2 KB).
 */
export async function renderQrCodePng(
  text: string,
  options: QrCodeOptions = {},
): Promise<Result<Buffer, "QR_CODE_FAILED">> {
  try {
    const png = await QRCode.toBuffer(text, {
      type: "png",
      errorCorrectionLevel: "M",
      margin: 4,
      width: options.widthPx ?? defaultWidthPx,
    });
    return ok(png);
  } catch (error) {
    return err(
      "QR_CODE_FAILED",
      `cannot draw a QR code of this text: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
