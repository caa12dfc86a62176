import { test } from "uvu";
import * as assert from "uvu/assert";
import { StorageError, toStorageError } from "../../../cluster/storage/storage-error.ts";

/** Shaped like the errors ioredis rejects with when Redis answers with an error. */
function replyError(message: string): Error {
  const error = new Error(message);
  error.name = "ReplyError";
  return error;
}

test("a refusal from a store script keeps its code and its reason", () => {
  const error = toStorageError(
    replyError("STORAGE_REJECTED entries start at 9 but the log ends at 4"),
    "save",
  );
  assert.instance(error, StorageError);
  assert.is(error.code, "STORAGE_REJECTED");
  assert.is(error.message, "save: entries start at 9 but the log ends at 4");
  assert.is(
    toStorageError(replyError("STORAGE_CORRUPT stored entry 3 is unreadable"), "save").code,
    "STORAGE_CORRUPT",
  );
});

test("a key of the wrong type means the store's keys are not ours alone", () => {
  const error = toStorageError(
    replyError("WRONGTYPE Operation against a key holding the wrong kind of value"),
    "load",
  );
  assert.is(error.code, "STORAGE_CORRUPT");
  assert.match(error.message, /another program writes under this key prefix/);
});

test("connection failures and anything else are STORAGE_UNAVAILABLE, with the cause kept", () => {
  const cause = new Error("Connection is closed.");
  const error = toStorageError(cause, "save");
  assert.is(error.code, "STORAGE_UNAVAILABLE");
  assert.match(error.message, /Redis is unavailable \(Connection is closed\.\)/);
  assert.is(error.cause, cause);
  assert.is(
    toStorageError(replyError("LOADING Redis is loading the dataset in memory"), "load").code,
    "STORAGE_UNAVAILABLE",
  );
});

test("a StorageError passes through unchanged", () => {
  const original = new StorageError("STORAGE_CORRUPT", "the log is not a list");
  assert.is(toStorageError(original, "load"), original);
});

test.run();
