import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderQrCodePng } from "../../../cluster/client-config/qr-code.ts";
import { renderClientConfig } from "../../../cluster/client-config/wireguard-conf.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk, which always comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.is(png.subarray(12, 16).toString("latin1"), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function amneziaConf(): string {
  const rendered = renderClientConfig({
    clientPrivateKey: generateKeyPair().privateKey,
    clientAddress: "10.64.12.200",
    serverPublicKey: generateKeyPair().publicKey,
    presharedKey: generatePresharedKey(),
    endpoint: { host: "vpn-frankfurt-1.example.org", port: 51820 },
    dns: ["1.1.1.1", "8.8.8.8"],
    mtu: 1280,
    amnezia: { jc: 4, jmin: 40, jmax: 70, s1: 15, s2: 42, h1: 1, h2: 2, h3: 3, h4: 4 },
  });
  if (!rendered.ok) throw new Error(rendered.error.message);
  return rendered.value;
}

test("a config becomes a square PNG of the default width", async () => {
  const png = await renderQrCodePng(amneziaConf());
  assert.ok(png.ok);
  assert.equal(png.value.subarray(0, 8), pngSignature);
  assert.equal(pngSize(png.value), { width: 640, height: 640 });
  assert.ok(png.value.length > 1_000 && png.value.length < 200_000, `${png.value.length} bytes`);
});

test("the width can be chosen", async () => {
  const png = await renderQrCodePng("hello", { widthPx: 300 });
  assert.ok(png.ok);
  assert.equal(pngSize(png.value), { width: 300, height: 300 });
});

test("text too long for any QR code gives an error value, not an exception", async () => {
  const png = await renderQrCodePng("x".repeat(5_000));
  assert.ok(!png.ok);
  assert.is(png.error.code, "QR_CODE_FAILED");
});

test.run();
