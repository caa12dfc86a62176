import { test } from "uvu";
import * as assert from "uvu/assert";
import { QrCodeRenderer } from "../../bot/qr-code-renderer.ts";
import { renderQrCodePng } from "../../cluster/client-config/qr-code.ts";

const CONF = "[Interface]\nAddress = 10.64.0.2/32\n\n[Peer]\nEndpoint = 198.51.100.1:51820\n";

test("the worker thread draws the same PNG as drawing it in this thread", async () => {
  const renderer = new QrCodeRenderer();
  try {
    const [fromWorker, inline] = await Promise.all([renderer.render(CONF), renderQrCodePng(CONF)]);
    assert.ok(fromWorker.ok && inline.ok);
    assert.ok(fromWorker.value.equals(inline.value));
  } finally {
    await renderer.close();
  }
});

test("renders in parallel are each answered with their own code, and a closed renderer starts again", async () => {
  const renderer = new QrCodeRenderer();
  try {
    const texts = ["a", "bb", "ccc"].map((suffix) => `${CONF}# ${suffix}\n`);
    const codes = await Promise.all(texts.map((text) => renderer.render(text)));
    for (const [position, code] of codes.entries()) {
      const inline = await renderQrCodePng(texts[position]!);
      assert.ok(code.ok && inline.ok && code.value.equals(inline.value), `code ${position}`);
    }
    await renderer.close();
    const again = await renderer.render(CONF);
    assert.ok(again.ok);
  } finally {
    await renderer.close();
  }
});

test("a pool of three threads answers many codes at once, each with its own", async () => {
  const renderer = new QrCodeRenderer(3);
  try {
    const texts = Array.from({ length: 9 }, (_, n) => `${CONF}# ${n}\n`);
    const codes = await Promise.all(texts.map((text) => renderer.render(text)));
    for (const [position, code] of codes.entries()) {
      const inline = await renderQrCodePng(texts[position]!);
      assert.ok(code.ok && inline.ok && code.value.equals(inline.value), `code ${position}`);
    }
  } finally {
    await renderer.close();
  }
});

test("text too long for any QR code is refused with a reason", async () => {
  const renderer = new QrCodeRenderer();
  try {
    const refused = await renderer.render("x".repeat(5000));
    assert.not.ok(refused.ok);
    if (!refused.ok) assert.is(refused.error.code, "QR_CODE_FAILED");
  } finally {
    await renderer.close();
  }
});

test.run();
