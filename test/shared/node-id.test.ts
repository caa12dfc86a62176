import { test } from "uvu";
import * as assert from "uvu/assert";
import { isValidNodeId } from "../../shared/node-id.ts";

test("a node id is 1-32 lowercase letters, digits and dashes", () => {
  for (const id of ["n1", "1", "vpn-frankfurt-2", "a".repeat(32), "0-"]) {
    assert.ok(isValidNodeId(id), id);
  }
});

test("a node id refuses capitals, a leading dash, other characters and more than 32 characters", () => {
  for (const id of ["", "N1", "-n1", "n_1", "n.1", "n 1", "n1\n", "a".repeat(33)]) {
    assert.not.ok(isValidNodeId(id), JSON.stringify(id));
  }
});

test.run();
