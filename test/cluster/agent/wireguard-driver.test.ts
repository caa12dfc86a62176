import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type {
  CommandResult,
  CommandRunner,
  RunCommandOptions,
} from "../../../cluster/agent/run-command.ts";
import type { InterfacePeer } from "../../../cluster/agent/vpn-driver.ts";
import {
  WireGuardDriver,
  type WireGuardDriverOptions,
} from "../../../cluster/agent/wireguard-driver.ts";
import { generateKeyPair, generatePresharedKey } from "../../../shared/crypto/wireguard-keys.ts";
import { parseConf } from "../../support/parse-conf.ts";

interface Call {
  file: string;
  args: string[];
  options: RunCommandOptions;
}

/**
 * A scripted machine: answers `ip` and `wg` the way the real tools do for
 * one interface, and records every call.
 */
class FakeMachine {
  calls: Call[] = [];
  interfaceExists = false;
  up = false;
  addresses: string[] = [];
  kernelModule = false;
  missingTools = new Set<string>();
  failSyncconf = false;
  syncedConfig: string | null = null;
  syncedConfigPath: string | null = null;
  syncedConfigMode: number | null = null;
  dump = "";
  mtu = 1420;
  forwarding = false;
  defaultRoutes = '[{"dst":"default","gateway":"203.0.113.1","dev":"eth0","flags":["onlink"]}]';
  /** What each `nft -f -` was given, in order. */
  nftInputs: string[] = [];

  readonly run: CommandRunner = async (file, args, options = {}) => {
    this.calls.push({ file, args: [...args], options });
    let tool = file;
    let rest = [...args];
    if (tool === "ip" && rest[0] === "netns" && rest[1] === "exec") {
      tool = rest[3] ?? "";
      rest = rest.slice(4);
    }
    if (this.missingTools.has(tool)) {
      return this.failure("COMMAND_NOT_FOUND", `${tool} ${rest.join(" ")}`, "");
    }
    const command = rest.join(" ");
    if (tool === "ip" && command.startsWith("-j address show dev")) {
      if (!this.interfaceExists)
        return this.failure("COMMAND_FAILED", command, `Device "${rest[4]}" does not exist.`);
      return this.success(
        JSON.stringify([
          {
            ifname: rest[4],
            flags: this.up ? ["POINTOPOINT", "UP", "LOWER_UP"] : ["POINTOPOINT"],
            mtu: this.mtu,
            addr_info: this.addresses.map((address) => {
              const [local, prefix] = address.split("/");
              return { family: "inet", local, prefixlen: Number(prefix), scope: "global" };
            }),
          },
        ]),
      );
    }
    if (tool === "ip" && command.startsWith("link add dev")) {
      if (!this.kernelModule)
        return this.failure("COMMAND_FAILED", command, "Error: Unknown device type.");
      this.interfaceExists = true;
      return this.success("");
    }
    if (tool === "wireguard-go") {
      this.interfaceExists = true;
      return this.success("");
    }
    if (tool === "wg" && rest[0] === "syncconf") {
      if (this.failSyncconf)
        return this.failure("COMMAND_FAILED", command, "Line unrecognized: `Bogus'");
      const path = rest[2]!;
      this.syncedConfigPath = path;
      this.syncedConfigMode = statSync(path).mode & 0o777;
      this.syncedConfig = readFileSync(path, "utf8");
      return this.success("");
    }
    if (tool === "ip" && rest[0] === "address" && rest[1] === "add") {
      this.addresses.push(rest[2]!);
      return this.success("");
    }
    if (tool === "ip" && rest[0] === "address" && rest[1] === "del") {
      this.addresses = this.addresses.filter((address) => address !== rest[2]);
      return this.success("");
    }
    if (tool === "ip" && command.startsWith("link set dev")) {
      const mtuAt = rest.indexOf("mtu");
      if (mtuAt >= 0) this.mtu = Number(rest[mtuAt + 1]);
      if (rest.includes("up")) this.up = true;
      return this.success("");
    }
    if (tool === "sysctl" && command === "-w net.ipv4.ip_forward=1") {
      this.forwarding = true;
      return this.success("net.ipv4.ip_forward = 1\n");
    }
    if (tool === "ip" && command === "-j route show default")
      return this.success(this.defaultRoutes);
    if (tool === "nft" && command === "-f -") {
      this.nftInputs.push(options.stdin ?? "");
      return this.success("");
    }
    if (tool === "wg" && rest[0] === "show") return this.success(this.dump);
    throw new Error(`unexpected command: ${tool} ${command}`);
  };

  commandLines(): string[] {
    return this.calls.map((call) => [call.file, ...call.args].join(" "));
  }

  private success(stdout: string): CommandResult {
    return { ok: true, value: { stdout, stderr: "" } };
  }

  private failure(
    code: "COMMAND_FAILED" | "COMMAND_NOT_FOUND",
    command: string,
    stderr: string,
  ): CommandResult {
    const message =
      code === "COMMAND_FAILED" ? `${command} failed (exit 1): ${stderr}` : "not installed";
    return {
      ok: false,
      error: { code, message, command, exitCode: code === "COMMAND_FAILED" ? 1 : null, stderr },
    };
  }
}

const peers: InterfacePeer[] = [
  {
    publicKey: generateKeyPair().publicKey,
    presharedKey: generatePresharedKey(),
    allowedIps: ["10.64.0.2/32"],
  },
  { publicKey: generateKeyPair().publicKey, allowedIps: ["10.64.0.3/32"] },
];

async function withDriver(
  machine: FakeMachine,
  body: (driver: WireGuardDriver, keyFile: string) => Promise<void>,
  extra: Partial<WireGuardDriverOptions> = {},
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nxl-driver-test-"));
  try {
    const keyFile = join(dir, "server.key");
    const created = WireGuardDriver.create({
      interfaceName: "wg0",
      listenPort: 51820,
      mtu: 1280,
      privateKeyFile: keyFile,
      runCommand: machine.run,
      blockedDestinations: ["169.254.0.0/16"],
      ...extra,
    });
    assert.ok(created.ok);
    await body(created.value, keyFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("without the kernel module the interface comes from wireguard-go, then gets config, address, MTU, up and egress", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    const applied = await driver.apply({ address: "10.64.0.1/24", peers });
    assert.equal(applied, { ok: true, value: undefined });
    assert.equal(machine.commandLines(), [
      "ip -j address show dev wg0",
      "ip link add dev wg0 type wireguard",
      "wireguard-go wg0",
      "ip -j address show dev wg0",
      `wg syncconf wg0 ${machine.syncedConfigPath}`,
      "ip address add 10.64.0.1/24 dev wg0",
      "ip link set dev wg0 mtu 1280 up",
      "sysctl -w net.ipv4.ip_forward=1",
      "ip -j route show default",
      "nft -f -",
    ]);
    const wireguardGo = machine.calls[2]!;
    assert.ok("LOG_LEVEL" in (wireguardGo.options.environment ?? {}));
    assert.is(wireguardGo.options.environment?.LOG_LEVEL, undefined, "LOG_LEVEL removed");
    assert.ok(machine.interfaceExists && machine.up);
    assert.equal(machine.addresses, ["10.64.0.1/24"]);
  });
});

test("the synced config carries the key, port and exactly the desired peers, in a private file removed after", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    await driver.apply({ address: "10.64.0.1/24", peers });
    const publicKey = await driver.serverPublicKey();
    assert.ok(publicKey.ok);
    const conf = parseConf(machine.syncedConfig ?? "");
    assert.is(conf.interface.ListenPort, "51820");
    assert.is(conf.interface.PrivateKey?.length, 44);
    assert.equal(
      conf.peers.map((peer) => peer.PublicKey),
      peers.map((peer) => peer.publicKey),
    );
    assert.is(conf.peers[0]?.PresharedKey, peers[0]?.presharedKey);
    const privateKey = conf.interface.PrivateKey!;
    for (const line of machine.commandLines()) assert.not.ok(line.includes(privateKey), line);
    assert.is(machine.syncedConfigMode, 0o600);
    assert.not.ok(existsSync(machine.syncedConfigPath!), "the file is gone");
  });
});

test("with the kernel module, wireguard-go is not started", () => {
  const machine = new FakeMachine();
  machine.kernelModule = true;
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.not.ok(machine.commandLines().some((line) => line.startsWith("wireguard-go")));
  });
});

test("an interface already up with its address is only synced", () => {
  const machine = new FakeMachine();
  Object.assign(machine, {
    interfaceExists: true,
    up: true,
    addresses: ["10.64.0.1/24"],
    mtu: 1280,
  });
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers: [] })).ok);
    assert.equal(machine.commandLines(), [
      "ip -j address show dev wg0",
      `wg syncconf wg0 ${machine.syncedConfigPath}`,
      "sysctl -w net.ipv4.ip_forward=1",
      "ip -j route show default",
      "nft -f -",
    ]);
    assert.equal(parseConf(machine.syncedConfig ?? "").peers, [], "no peers left");
  });
});

test("a stale address is replaced by the desired one", () => {
  const machine = new FakeMachine();
  Object.assign(machine, { interfaceExists: true, up: true, addresses: ["10.9.0.1/24"] });
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.equal(machine.addresses, ["10.64.0.1/24"]);
  });
});

test("an interface up with another MTU gets the configured one", () => {
  const machine = new FakeMachine();
  Object.assign(machine, { interfaceExists: true, up: true, addresses: ["10.64.0.1/24"] });
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.ok(machine.commandLines().includes("ip link set dev wg0 mtu 1280 up"));
    assert.is(machine.mtu, 1280);
  });
});

test("apply turns forwarding on and loads the node's table: the subnet masqueraded out of the default route's interface, blocked destinations dropped", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.ok(machine.forwarding);
    assert.is(machine.nftInputs.length, 1);
    const ruleset = machine.nftInputs[0]!;
    assert.match(ruleset, /ip saddr 10\.64\.0\.0\/24 oifname "eth0" masquerade/);
    assert.match(ruleset, /iifname "wg0" oifname "wg0" drop/);
    assert.match(ruleset, /iifname "wg0" oifname != "wg0" ip daddr 169\.254\.0\.0\/16 drop/);
  });
});

test("applying again loads the same whole ruleset, which replaces the table rather than adding to it", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.is(machine.nftInputs.length, 2);
    assert.is(machine.nftInputs[1], machine.nftInputs[0]);
    assert.match(
      machine.nftInputs[0]!,
      /^table inet nexaloak_wg0\ndelete table inet nexaloak_wg0\n/,
    );
  });
});

test("clients may reach each other when the driver is told to allow it", () => {
  const machine = new FakeMachine();
  return withDriver(
    machine,
    async (driver) => {
      assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
      assert.not.match(machine.nftInputs[0]!, /drop/);
    },
    { allowClientToClient: true, blockedDestinations: [] },
  );
});

test("without a default route, apply says so with its own code and loads no rules", () => {
  const machine = new FakeMachine();
  machine.defaultRoutes = "[]";
  return withDriver(machine, async (driver) => {
    const applied = await driver.apply({ address: "10.64.0.1/24", peers });
    assert.ok(!applied.ok);
    assert.is(applied.error.code, "VPN_NO_DEFAULT_ROUTE");
    assert.equal(machine.nftInputs, []);
    assert.ok(machine.up, "the tunnel itself is up");
  });
});

test("release removes the node's table, whether or not it exists, and leaves the interface", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
    assert.equal(await driver.release(), { ok: true, value: undefined });
    assert.is(
      machine.nftInputs.at(-1),
      "table inet nexaloak_wg0\ndelete table inet nexaloak_wg0\n",
    );
    assert.not.ok(machine.commandLines().some((line) => line.includes("link del")));
  });
});

test("a missing nft is named with the package to install", () => {
  const machine = new FakeMachine();
  machine.missingTools.add("nft");
  return withDriver(machine, async (driver) => {
    const released = await driver.release();
    assert.ok(!released.ok);
    assert.is(released.error.code, "VPN_TOOL_MISSING");
    assert.match(released.error.message, /apt-get install --no-install-recommends nftables/);
  });
});

test("an interface address that is not IPv4 address/prefix changes nothing: no command runs", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    const applied = await driver.apply({ address: "fd00::1/64", peers });
    assert.ok(!applied.ok);
    assert.is(applied.error.code, "VPN_EGRESS_INVALID");
    assert.equal(machine.calls, []);
  });
});

test("every command runs inside the network namespace when one is given", () => {
  const machine = new FakeMachine();
  return withDriver(
    machine,
    async (driver) => {
      machine.dump = "priv\tpub\t51820\toff\n";
      assert.ok((await driver.apply({ address: "10.64.0.1/24", peers })).ok);
      assert.equal(await driver.readPeers(), { ok: true, value: [] });
      assert.ok((await driver.release()).ok);
      assert.ok(machine.calls.length > 5);
      assert.ok(machine.commandLines().some((line) => line.endsWith("nxl-test nft -f -")));
      for (const call of machine.calls) {
        assert.equal([call.file, ...call.args.slice(0, 3)], ["ip", "netns", "exec", "nxl-test"]);
      }
    },
    { networkNamespace: "nxl-test" },
  );
});

test("a missing tool is named with the package to install", () => {
  const machine = new FakeMachine();
  machine.missingTools.add("wireguard-go");
  return withDriver(machine, async (driver) => {
    const applied = await driver.apply({ address: "10.64.0.1/24", peers });
    assert.ok(!applied.ok);
    assert.is(applied.error.code, "VPN_TOOL_MISSING");
    assert.match(applied.error.message, /apt-get install --no-install-recommends wireguard-go/);
  });
});

test("a failing wg gives its command and stderr", () => {
  const machine = new FakeMachine();
  Object.assign(machine, { interfaceExists: true, up: true, failSyncconf: true });
  return withDriver(machine, async (driver) => {
    const applied = await driver.apply({ address: "10.64.0.1/24", peers });
    assert.ok(!applied.ok);
    assert.is(applied.error.code, "VPN_COMMAND_FAILED");
    assert.is(applied.error.stderr, "Line unrecognized: `Bogus'");
    assert.match(applied.error.command ?? "", /syncconf/);
  });
});

test("an invalid peer changes nothing: no command runs", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver) => {
    const applied = await driver.apply({
      address: "10.64.0.1/24",
      peers: [{ publicKey: "bad\n[Peer]", allowedIps: ["10.64.0.9/32"] }],
    });
    assert.ok(!applied.ok);
    assert.is(applied.error.code, "VPN_PEER_INVALID");
    assert.equal(machine.calls, []);
  });
});

test("readPeers parses wg show dump", () => {
  const machine = new FakeMachine();
  const peerKey = peers[1]!.publicKey;
  machine.dump = `priv\tpub\t51820\toff\n${peerKey}\t(none)\t192.0.2.2:40000\t10.64.0.3/32\t1700000000\t10\t20\toff\n`;
  return withDriver(machine, async (driver) => {
    const read = await driver.readPeers();
    assert.ok(read.ok);
    assert.is(read.value.length, 1);
    assert.is(read.value[0]?.publicKey, peerKey);
    assert.is(read.value[0]?.receivedBytes, 10);
    assert.equal(machine.commandLines(), ["wg show wg0 dump"]);
  });
});

test("the server key is made once and its public key reported", () => {
  const machine = new FakeMachine();
  return withDriver(machine, async (driver, keyFile) => {
    const first = await driver.serverPublicKey();
    const second = await driver.serverPublicKey();
    assert.ok(first.ok && second.ok);
    assert.is(first.value, second.value);
    const reloaded = WireGuardDriver.create({
      interfaceName: "wg0",
      listenPort: 51820,
      mtu: 1280,
      privateKeyFile: keyFile,
      blockedDestinations: [],
    });
    assert.ok(reloaded.ok);
    assert.equal(await reloaded.value.serverPublicKey(), first);
  });
});

test("options that would make bad command arguments are refused", () => {
  const base = {
    interfaceName: "wg0",
    listenPort: 51820,
    mtu: 1280,
    privateKeyFile: "/tmp/unused.key",
    blockedDestinations: [],
  };
  const cases: Partial<WireGuardDriverOptions>[] = [
    { interfaceName: "-h" },
    { interfaceName: "much-too-long-name" },
    { interfaceName: "wg 0" },
    { listenPort: 0 },
    { listenPort: 65536 },
    { listenPort: 1.5 },
    { mtu: 1279 },
    { mtu: 1441 },
    { mtu: 1300.5 },
    { networkNamespace: "-x" },
    { networkNamespace: "a/b" },
  ];
  for (const change of cases) {
    const created = WireGuardDriver.create({ ...base, ...change });
    assert.ok(!created.ok, JSON.stringify(change));
    assert.is(created.error.code, "INVALID_VPN_DRIVER_OPTIONS");
  }
});

test.run();
