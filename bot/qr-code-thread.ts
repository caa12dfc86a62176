/**
 * The QR code worker thread: renders PNGs off the node's event loop. A 640 px
 * code takes tens of milliseconds of CPU; fifty users asking at once would
 * otherwise stall the Raft heartbeats for a second or more.
 */
import { renderQrCodePng } from "../cluster/client-config/qr-code.ts";
import { servePngRequests } from "./png-thread.ts";

servePngRequests(renderQrCodePng);
