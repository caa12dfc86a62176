import { test } from "uvu";
import * as assert from "uvu/assert";
import { imageExtension, imageSize } from "../../../scripts/telegram-emulator/image-size.ts";
import { greyPng } from "./support/png.ts";

/** The smallest JPEG header that names a size: SOI, an APP0 segment, then SOF0. */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
  const sof0 = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x0b,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x01,
    0x01,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0]);
}

test("PNG and JPEG sizes come from their headers", () => {
  assert.equal(imageSize(greyPng(33, 21)), { width: 33, height: 21 });
  assert.equal(imageSize(jpegHeader(640, 480)), { width: 640, height: 480 });
  assert.is(imageExtension(greyPng(1, 1)), "png");
  assert.is(imageExtension(jpegHeader(1, 1)), "jpg");
});

test("bytes that are neither PNG nor JPEG have no size", () => {
  assert.is(imageSize(Buffer.from("[Interface]\n")), null);
  assert.is(imageSize(Buffer.alloc(0)), null);
  assert.is(
    imageSize(Buffer.from([0xff, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])),
    null,
  );
});

test.run();
