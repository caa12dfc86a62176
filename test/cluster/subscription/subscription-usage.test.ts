import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  subscriptionUsage,
  subscriptionUserinfoHeader,
} from "../../../cluster/subscription/subscription-usage.ts";

const NO_TRAFFIC = { uploadBytes: 0, downloadBytes: 0, quotaBytes: 0 };

test("upload and download are the user's this period, and total is their quota in bytes", () => {
  const usage = subscriptionUsage([], {
    uploadBytes: 1_200,
    downloadBytes: 34_000,
    quotaBytes: 500_000_000,
  });
  assert.equal(usage, {
    uploadBytes: 1_200,
    downloadBytes: 34_000,
    totalBytes: 500_000_000,
    expireSeconds: 0,
  });
});

test("an unlimited user's total is 0, as clients read no limit", () => {
  const usage = subscriptionUsage([], { uploadBytes: 7, downloadBytes: 9, quotaBytes: 0 });
  assert.is(usage.totalBytes, 0);
});

test("the subscription expires with the config that expires first, in epoch seconds; never is 0", () => {
  const configs = [{ expiresAt: null }, { expiresAt: 2_000_999 }, { expiresAt: 5_000_000 }];
  assert.is(subscriptionUsage(configs, NO_TRAFFIC).expireSeconds, 2_000);
  assert.is(subscriptionUsage([{ expiresAt: null }], NO_TRAFFIC).expireSeconds, 0);
});

test("the header lists upload, download, total and expire in the order clients parse", () => {
  assert.is(
    subscriptionUserinfoHeader({
      uploadBytes: 1,
      downloadBytes: 2,
      totalBytes: 3,
      expireSeconds: 4,
    }),
    "upload=1; download=2; total=3; expire=4",
  );
});

test.run();
