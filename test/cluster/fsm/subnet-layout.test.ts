import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseCidr } from "../../../cluster/fsm/ipv4.ts";
import {
  clientAddress,
  clientCapacityOf,
  FIRST_CLIENT_OFFSET,
  lastClientOffset,
  prefixLengthForCapacity,
  probePeerAddress,
  serverTunnelAddress,
} from "../../../cluster/fsm/subnet-layout.ts";

test("a /24 holds 252 clients: 253 usable addresses minus the probe peer", () => {
  assert.is(clientCapacityOf(24), 252);
  assert.is(prefixLengthForCapacity(252), 24);
  assert.is(prefixLengthForCapacity(253), 23);
});

test("a capacity of 4 000 needs a /20", () => {
  assert.is(prefixLengthForCapacity(4000), 20);
  assert.is(clientCapacityOf(21) < 4000, true);
  assert.is(clientCapacityOf(20) >= 4000, true);
});

test("tiny capacities get a /29, the smallest subnet", () => {
  assert.is(prefixLengthForCapacity(1), 29);
  assert.is(prefixLengthForCapacity(4), 29);
  assert.is(prefixLengthForCapacity(5), 28);
});

test("the server is .1, the probe peer sits just below broadcast, clients in between", () => {
  const subnet = parseCidr("10.64.3.0/24")!;
  assert.is(serverTunnelAddress(subnet), "10.64.3.1");
  assert.is(probePeerAddress(subnet), "10.64.3.254");
  assert.is(clientAddress(subnet, FIRST_CLIENT_OFFSET), "10.64.3.2");
  assert.is(clientAddress(subnet, lastClientOffset(subnet)), "10.64.3.253");
  assert.is(lastClientOffset(subnet) - FIRST_CLIENT_OFFSET + 1, clientCapacityOf(24));
});

test.run();
