import { test } from "uvu";
import * as assert from "uvu/assert";
import { chooseFormat } from "../../../cluster/subscription/format-selection.ts";

test("format= names the format, whatever the User-Agent, in any case", () => {
  for (const format of ["outline", "sip008", "sing-box", "clash", "links"] as const)
    assert.equal(chooseFormat(format, "ClashMetaForAndroid/2.10"), { ok: true, format });
  assert.equal(chooseFormat("CLASH", undefined), { ok: true, format: "clash" });
  assert.equal(chooseFormat("yaml", undefined), { ok: false, reason: "UNKNOWN_FORMAT" });
  assert.equal(chooseFormat("", undefined), { ok: false, reason: "UNKNOWN_FORMAT" });
});

test("without format=, the User-Agent of each known client picks what it reads", () => {
  const cases: Array<[string, string]> = [
    ["Outline/1.12.0 (Android)", "outline"],
    ["ClashMetaForAndroid/2.10.1.Meta", "clash"],
    ["mihomo/1.18.5", "clash"],
    ["clash-verge/v1.7.7", "clash"],
    ["Stash/2.4.7 Clash/1.9.0", "clash"],
    ["SFA/1.10.1 (sing-box 1.10.1)", "sing-box"],
    ["sing-box 1.12.0", "sing-box"],
    ["HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box", "clash"],
    ["v2rayNG/1.9.16", "links"],
    ["Streisand/1.6.30", "links"],
    ["shadowsocks-android/5.3.3", "sip008"],
    ["Mozilla/5.0 (X11; Linux x86_64)", "links"],
  ];
  for (const [userAgent, format] of cases)
    assert.equal(chooseFormat(null, userAgent), { ok: true, format }, userAgent);
  assert.equal(chooseFormat(null, undefined), { ok: true, format: "links" });
});

test.run();
