/** One worker thread that draws QR codes of configs (see png-worker.ts). */
import { renderQrCodePng } from "../cluster/client-config/qr-code.ts";
import { PngWorker } from "./png-worker.ts";

export class QrCodeWorker extends PngWorker<string, "QR_CODE_FAILED"> {
  constructor() {
    super({
      threadUrl: new URL("./qr-code-thread.mjs", import.meta.url),
      what: "QR code",
      failureCode: "QR_CODE_FAILED",
      renderHere: (text) => renderQrCodePng(text),
    });
  }
}
