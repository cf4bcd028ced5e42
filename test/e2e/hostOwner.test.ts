import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { commandsFor, snapshotDir, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// Two stacks declare the same host. The host's files carry the owner stamp of the stack that
// applied them (project/stack/host): the other stack, or a stack of the same name in another
// Pulumi project, is refused by name with what to do, and its destroy leaves them alone.

const requirements = requireBuilderHost();
const KEYS = ["e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=", "e2e.cachix.org-2:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="];
const TOKEN = "owner-test.token_1";

let host: BuilderHost;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    host = await startBuilderHost({ ownNixConf: "# own settings\n" });
});

afterAll(async () => {
    await host?.remove();
});

const STACKS = ["first", "second"] as const;
const commands = (i: 0 | 1) => commandsFor(testStack({ url: `http://127.0.0.1:${9 + i}`, publicKey: KEYS[i], private: true }, host, { kind: "nix" }), STACKS[i]).commands;

describe.skipIf(requirements.skip)("two stacks, one host (real sshd + Nix)", () => {
    it("the first stack applies, and its files carry its owner stamp", async () => {
        expect((await host.run("root", commands(0).apply)).code).toBe(0);
        expect((await host.run("root", commands(0).netrcApply!, TOKEN)).code).toBe(0);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix-cache.backup", "owner"), "utf8")).toBe("nix-cache/first/local\n");
    });

    it("the second stack's apply, netrc and verify are refused by name, and nothing changes", async () => {
        const before = snapshotDir(host.nixConfDir);
        const apply = await host.run("root", commands(1).apply);
        expect(apply.code).toBe(1);
        expect(apply.stderr).toContain("managed by nix-cache/first/local (project/stack/host), not nix-cache/second/local, so nothing was changed: remove the host from that stack first");
        const netrc = await host.run("root", commands(1).netrcApply!, "other-token");
        expect(netrc.code).toBe(1);
        expect(netrc.stderr).toContain("managed by nix-cache/first/local");
        const verify = await host.run("root", commands(1).verify);
        expect(verify.code).toBe(3);
        expect(parseVerifyReport(verify.stdout).checks).toContainEqual({ status: "drift", item: "owner", detail: "the files are managed by nix-cache/first/local, not nix-cache/second/local" });
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("another Pulumi project's stack of the same name is another owner: refused, naming the real one", async () => {
        const before = snapshotDir(host.nixConfDir);
        const other = commandsFor(testStack({ url: "http://127.0.0.1:9", publicKey: KEYS[0], private: true }, host, { kind: "nix" }), STACKS[0], { project: "library-app" }).commands;
        const apply = await host.run("root", other.apply);
        expect(apply.code).toBe(1);
        expect(apply.stderr).toContain("managed by nix-cache/first/local (project/stack/host), not library-app/first/local, so nothing was changed");
        const destroy = await host.run("root", other.destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(destroy.stdout).toContain("nothing to undo for library-app/first/local");
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
    });

    it("destroying the second stack undoes nothing of the first's", async () => {
        const before = snapshotDir(host.nixConfDir);
        const netrc = await host.run("root", commands(1).netrcDestroy!);
        expect(netrc.code, netrc.stderr).toBe(0);
        expect(netrc.stdout).toContain("nothing to undo for nix-cache/second/local");
        const destroy = await host.run("root", commands(1).destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(destroy.stdout).toContain(`nothing to undo for nix-cache/second/local: ${host.nixConfDir} is managed by nix-cache/first/local`);
        expect(snapshotDir(host.nixConfDir)).toEqual(before);
        const verify = await host.run("root", commands(0).verify);
        expect(verify.code, verify.stdout).toBe(0);
    });

    it("once the first stack is destroyed, the host is as before and the second stack may take it", async () => {
        expect((await host.run("root", commands(0).netrcDestroy!)).code).toBe(0);
        expect((await host.run("root", commands(0).destroy)).code).toBe(0);
        expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8")).toBe(host.ownNixConf);
        expect((await host.run("root", commands(1).apply)).code).toBe(0);
        expect(fs.readFileSync(path.join(host.nixConfDir, "nix-cache.backup", "owner"), "utf8")).toBe("nix-cache/second/local\n");
        expect((await host.run("root", commands(1).destroy)).code).toBe(0);
        expect(fs.readdirSync(host.nixConfDir)).toEqual(["nix.conf"]);
    });
});
