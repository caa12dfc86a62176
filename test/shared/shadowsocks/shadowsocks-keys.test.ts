import { createHmac } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { masterKeyOf, subkeyOf } from "../../../shared/shadowsocks/shadowsocks-keys.ts";

test("the master key is OpenSSL's EVP_BytesToKey with MD5 (as `openssl enc -md md5 -nosalt -P` prints it)", () => {
  // openssl enc -aes-256-cbc -k foobar -nosalt -P -md md5
  assert.is(
    masterKeyOf("foobar", 32).toString("hex").toUpperCase(),
    "3858F62230AC3C915F300C664312C63F568378529614D22DDB49237D2F60BFDF",
  );
  // openssl enc -aes-128-cbc -k 'barfoo!' -nosalt -P -md md5
  assert.is(
    masterKeyOf("barfoo!", 16).toString("hex").toUpperCase(),
    "B3ADC47839E047EB228870526DC8FC30",
  );
});

test("a shorter master key is the prefix of a longer one, as EVP_BytesToKey's blocks are", () => {
  assert.equal(masterKeyOf("pass", 24), masterKeyOf("pass", 32).subarray(0, 24));
});

/** RFC 5869 written out with HMAC-SHA1, to check the subkey independently of hkdfSync. */
function rfc5869Sha1(key: Buffer, salt: Buffer, info: string, length: number): Buffer {
  const prk = createHmac("sha1", salt).update(key).digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; blocks.length * 20 < length; counter++) {
    previous = createHmac("sha1", prk)
      .update(Buffer.concat([previous, Buffer.from(info), Buffer.from([counter])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

test("each stream's subkey is HKDF-SHA1 of the master key and the salt, info ss-subkey, as long as the key", () => {
  for (const length of [16, 24, 32]) {
    const master = masterKeyOf("correct horse", length);
    const salt = Buffer.alloc(length, 7);
    const subkey = subkeyOf(master, salt);
    assert.is(subkey.length, length);
    assert.equal(subkey, rfc5869Sha1(master, salt, "ss-subkey", length));
  }
});
test.run();
