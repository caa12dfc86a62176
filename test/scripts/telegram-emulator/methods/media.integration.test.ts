import { Bot, InputFile } from "grammy";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TelegramEmulator } from "../../../../scripts/telegram-emulator/emulator.ts";
import {
  callMethod,
  resultOf,
  startedUser,
  TOKEN,
  withEmulator,
} from "../support/emulator-fixture.ts";
import { greyPng } from "../support/png.ts";

interface FileMessage {
  message_id: number;
  caption?: string;
  document?: { file_id: string; file_name: string; file_size: number };
  photo?: { file_id: string; width: number; height: number; file_size: number }[];
}

const config = Buffer.from("[Interface]\nPrivateKey = aGVsbG8=\nAddress = 10.8.0.2/32\n");

/** Uploads with the platform's FormData: quoted names, a Content-Type per file. */
async function upload(
  emulator: TelegramEmulator,
  method: "sendDocument" | "sendPhoto",
  fields: Record<string, string>,
  file: { field: string; name: string; bytes: Buffer; type: string },
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append(file.field, new Blob([file.bytes], { type: file.type }), file.name);
  const response = await fetch(`${emulator.apiRoot}/bot${TOKEN}/${method}`, {
    method: "POST",
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    body: (await response.json()) as { ok: boolean; result?: FileMessage; description?: string },
  };
}

async function download(emulator: TelegramEmulator, fileId: string): Promise<Buffer> {
  const file = await resultOf<{ file_path: string; file_size: number }>(emulator, "getFile", {
    file_id: fileId,
  });
  const response = await fetch(`${emulator.apiRoot}/file/bot${TOKEN}/${file.file_path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  assert.is(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

test("sendDocument stores a multipart upload; getFile and the file URL give back the same bytes", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const answer = await upload(
      emulator,
      "sendDocument",
      { chat_id: String(user.id), caption: "Your config" },
      { field: "document", name: "nexaloak-de-1.conf", bytes: config, type: "text/plain" },
    );
    assert.is(answer.status, 200);
    const document = answer.body.result?.document;
    assert.is(document?.file_name, "nexaloak-de-1.conf");
    assert.is(document?.file_size, config.length);
    assert.is(answer.body.result?.caption, "Your config");
    assert.ok((await download(emulator, document!.file_id)).equals(config));
    const [inInbox] = user.inbox();
    assert.is(inInbox?.document?.fileName, "nexaloak-de-1.conf");
    assert.ok(inInbox?.document?.bytes.equals(config));
  });
});

test("grammY's InputFile uploads (attach:// and an unquoted filename) arrive intact, document and photo", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const bot = new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } });
    const qr = greyPng(5, 4);
    const sentDocument = await bot.api.sendDocument(
      user.id,
      new InputFile(config, "nexaloak-fi-2.conf"),
      {
        caption: "<b>Import</b> this file",
        parse_mode: "HTML",
        reply_markup: { inline_keyboard: [[{ text: "Revoke", callback_data: "revoke:1" }]] },
      },
    );
    const sentPhoto = await bot.api.sendPhoto(user.id, new InputFile(qr, "qr.png"));
    assert.is(sentDocument.document?.file_name, "nexaloak-fi-2.conf");
    assert.is(sentDocument.caption, "Import this file");
    assert.equal(sentDocument.caption_entities, [{ offset: 0, length: 6, type: "bold" }]);
    assert.equal(
      sentPhoto.photo?.map((size) => [size.width, size.height]),
      [[5, 4]],
    );
    const [documentMessage, photoMessage] = user.inbox();
    assert.ok(documentMessage?.document?.bytes.equals(config));
    assert.equal(
      documentMessage?.inlineKeyboard.flat().map((button) => button.text),
      ["Revoke"],
    );
    assert.ok(photoMessage?.photo?.bytes.equals(qr));
    assert.is(photoMessage?.photo?.width, 5);
    assert.is(photoMessage?.photo?.fileName, "qr.png");
    const file = await bot.api.getFile(sentPhoto.photo![0]!.file_id);
    assert.match(file.file_path ?? "", /^photos\/file_\d+\.png$/);
    assert.ok((await download(emulator, file.file_id)).equals(qr));
  });
});

test("a file_id sends the same file again without an upload", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const first = await upload(
      emulator,
      "sendDocument",
      { chat_id: String(user.id) },
      { field: "document", name: "a.conf", bytes: config, type: "application/octet-stream" },
    );
    const fileId = first.body.result!.document!.file_id;
    const again = await resultOf<FileMessage>(emulator, "sendDocument", {
      chat_id: user.id,
      document: fileId,
    });
    assert.is(again.document?.file_id, fileId);
    assert.ok(user.inbox()[1]?.document?.bytes.equals(config));
  });
});

test("file parameters are checked: missing, unknown id, wrong kind, not an image, empty", async () => {
  await withEmulator(async (emulator) => {
    const user = startedUser(emulator);
    const documentId = (
      await upload(
        emulator,
        "sendDocument",
        { chat_id: String(user.id) },
        { field: "document", name: "a.conf", bytes: config, type: "text/plain" },
      )
    ).body.result!.document!.file_id;
    const byJson: [string, Record<string, unknown>, string][] = [
      ["sendDocument", { chat_id: user.id }, "Bad Request: there is no document in the request"],
      [
        "sendDocument",
        { chat_id: user.id, document: "nope" },
        "Bad Request: wrong file identifier/HTTP URL specified",
      ],
      [
        "sendPhoto",
        { chat_id: user.id, photo: documentId },
        "Bad Request: can't use file of type Document as Photo",
      ],
      ["getFile", { file_id: "nope" }, "Bad Request: invalid file_id"],
    ];
    for (const [method, params, description] of byJson) {
      assert.is((await callMethod(emulator, method, params)).body.description, description);
    }
    const notImage = await upload(
      emulator,
      "sendPhoto",
      { chat_id: String(user.id) },
      { field: "photo", name: "qr.png", bytes: config, type: "image/png" },
    );
    assert.is(notImage.body.description, "Bad Request: IMAGE_PROCESS_FAILED");
    const empty = await upload(
      emulator,
      "sendDocument",
      { chat_id: String(user.id) },
      { field: "document", name: "empty.conf", bytes: Buffer.alloc(0), type: "text/plain" },
    );
    assert.is(empty.body.description, "Bad Request: file must be non-empty");
    assert.is(user.inbox().length, 1, "only the first upload was sent");
  });
});

test("a download with an unknown path or a wrong token is refused", async () => {
  await withEmulator(
    async (emulator) => {
      const missing = await fetch(`${emulator.apiRoot}/file/bot${TOKEN}/documents/file_9.conf`);
      assert.is(missing.status, 404);
      const wrongToken = await fetch(
        `${emulator.apiRoot}/file/bot1:${"x".repeat(35)}/documents/file_1.conf`,
      );
      assert.is(wrongToken.status, 401);
    },
    { tokens: [TOKEN] },
  );
});

test.run();
