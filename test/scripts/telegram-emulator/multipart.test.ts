import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  boundaryFromContentType,
  parseMultipart,
} from "../../../scripts/telegram-emulator/multipart.ts";

const CRLF = "\r\n";

test("the boundary is read from a quoted or bare Content-Type parameter", () => {
  assert.is(boundaryFromContentType("multipart/form-data; boundary=----abc"), "----abc");
  assert.is(boundaryFromContentType('multipart/form-data; boundary="a b"'), "a b");
  assert.is(boundaryFromContentType("multipart/form-data"), null);
});

test("grammY's compact parts parse: lower-case headers, no spaces, an unquoted filename", () => {
  const body = Buffer.from(
    [
      "--XYZ",
      'content-disposition:form-data;name="chat_id"',
      "",
      "42",
      "--XYZ",
      'content-disposition:form-data;name="abc123";filename=nexaloak-de.conf',
      "content-type:application/octet-stream",
      "",
      "[Interface]",
      "--XYZ--",
      "",
    ].join(CRLF),
  );
  const parsed = parseMultipart(body, "XYZ");
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const [field, file] = parsed.value;
  assert.equal([field?.name, field?.filename, field?.data.toString()], ["chat_id", null, "42"]);
  assert.equal(
    [file?.name, file?.filename, file?.contentType, file?.data.toString()],
    ["abc123", "nexaloak-de.conf", "application/octet-stream", "[Interface]"],
  );
});

test("binary content with line breaks and dashes survives byte for byte", () => {
  const bytes = Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x0d, 0x0a]);
  const body = Buffer.concat([
    Buffer.from(
      `--B${CRLF}Content-Disposition: form-data; name="photo"; filename="qr.png"${CRLF}${CRLF}`,
    ),
    bytes,
    Buffer.from(`${CRLF}--B--${CRLF}`),
  ]);
  const parsed = parseMultipart(body, "B");
  assert.ok(parsed.ok && parsed.value[0]?.data.equals(bytes));
});

test("an RFC 5987 filename* wins over the plain filename", () => {
  const body = Buffer.from(
    `--B${CRLF}Content-Disposition: form-data; name="document"; filename="x.conf"; filename*=UTF-8''%D9%BE.conf${CRLF}${CRLF}x${CRLF}--B--`,
  );
  const parsed = parseMultipart(body, "B");
  assert.ok(parsed.ok);
  if (parsed.ok) assert.is(parsed.value[0]?.filename, "پ.conf");
});

test("a body without its closing boundary or a part without a name is malformed", () => {
  const unclosed = parseMultipart(
    Buffer.from(`--B${CRLF}Content-Disposition: form-data; name="a"${CRLF}${CRLF}x`),
    "B",
  );
  assert.ok(!unclosed.ok && unclosed.error.code === "MALFORMED_MULTIPART");
  const nameless = parseMultipart(
    Buffer.from(`--B${CRLF}Content-Type: text/plain${CRLF}${CRLF}x${CRLF}--B--`),
    "B",
  );
  assert.ok(!nameless.ok);
  assert.ok(!parseMultipart(Buffer.from("no boundary here"), "B").ok);
});

test.run();
