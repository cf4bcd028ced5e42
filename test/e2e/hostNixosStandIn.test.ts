import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseVerifyReport } from "../../components/hosts/verifyReport";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { commandsFor, testStack } from "./support/hostStack";
import { CACHIX_USE_GLUE, HANDMADE_KEY, PREPARED_ROOT, standInSetup } from "./support/nixosStandIn";
import { requireBuilderHost, requireNamespaces } from "./support/requirements";

// No real NixOS runs here. The exact NixOS scripts run over real SSH against a prepared root
// (a mount namespace with /etc/nixos and /run/current-system) and a stand-in nixos-rebuild
// that evaluates the modules with real Nix and writes /etc/nix/nix.conf; see nixosStandIn.ts.

// git: the flake test runs real git in a git flake.
const requirements = requireBuilderHost(["unshare", "git"]);
const skip = requirements.skip || requireNamespaces("NixOS stand-in").skip;

const CACHE_KEY = "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";
const CACHE_URL = "https://e2e.example.org";
const OTHER_CACHE_URL = "https://e2e-other.example.org";
let host: BuilderHost;
let work: string;

beforeAll(async () => {
    if (skip) {
        return;
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-nixos-"));
    host = await startBuilderHost({ ownNixConf: "", env: { NIX_CONF_DIR: "/etc/nix" }, namespaceSetup: standInSetup(work, PREPARED_ROOT) });
});

afterAll(async () => {
    await host?.remove();
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

const stack = (host2: Record<string, unknown> = {}) =>
    testStack({ url: CACHE_URL, publicKey: CACHE_KEY, private: false }, host, { kind: "nixos", trustedUsers: ["ci"], ...host2 });

/** A file inside the prepared root, read over SSH (it exists only in the host's namespace). */
async function remoteFile(file: string): Promise<string | undefined> {
    const result = await host.run("root", `cat ${file}`);
    return result.code === 0 ? result.stdout : undefined;
}

async function remoteTree(): Promise<string> {
    return (await host.run("root", "cd /etc/nixos && find . -type f | sort | xargs -r sha256sum")).stdout;
}

/** Every nixos-rebuild call, in order (`build`, `switch`, `switch --rollback`, ...). */
async function allRebuildCalls(): Promise<string[]> {
    return ((await remoteFile("/run/nixos-rebuild.calls")) ?? "").split("\n").filter((l) => l.length > 0);
}

/** The calls that activate (or roll back); apply builds before each. */
async function rebuildCalls(): Promise<string[]> {
    return (await allRebuildCalls()).filter((call) => call !== "build");
}

describe.skipIf(skip)("nixos host (NixOS stand-in: prepared root + stand-in nixos-rebuild, not a real NixOS)", () => {
    it("stand-in: refuses, changing nothing, when ./cachix.nix is only in a comment, a string or a value that is not an import", async () => {
        const original = PREPARED_ROOT["configuration.nix"];
        const commented = original.replace(
            " ./cachix.nix ];",
            " ]; # ./cachix.nix\n  /* imports = [ ./cachix.nix ]; */\n  system.name = \"./cachix.nix\";\n  system.path = \"/etc/nixos/cachix.nix\";\n  system.glue = \"${./cachix.nix}\";\n  system.note = \"imports = [ /etc/nixos/cachix.nix ]\";",
        );
        expect(commented).not.toBe(original);
        await host.run("root", "cat > /etc/nixos/configuration.nix", commented);
        const before = await remoteTree();
        const result = await host.run("root", commandsFor(stack()).commands.apply);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/no file in \/etc\/nixos imports \.\/cachix\.nix.*Add `imports = \[ \.\/cachix\.nix \];`.*Nothing was changed/s);
        expect(await remoteTree()).toBe(before);
        expect(parseVerifyReport((await host.run("root", commandsFor(stack()).commands.verify)).stdout).checks).toContainEqual({
            status: "drift",
            item: "import",
            detail: "no file in /etc/nixos imports ./cachix.nix",
        });
        await host.run("root", "cat > /etc/nixos/configuration.nix", original);
        expect(await rebuildCalls()).toEqual([]);
    });

    it("stand-in: refuses, naming the file, when configuration.nix does not parse", async () => {
        const original = PREPARED_ROOT["configuration.nix"];
        await host.run("root", "cat > /etc/nixos/configuration.nix", original.replace("];", ""));
        const before = await remoteTree();
        const result = await host.run("root", commandsFor(stack()).commands.apply);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/\/etc\/nixos\/configuration\.nix does not parse: .*syntax error.*nothing was changed/s);
        expect(await remoteTree()).toBe(before);
        await host.run("root", "cat > /etc/nixos/configuration.nix", original);
        expect(await rebuildCalls()).toEqual([]);
    });

    it("stand-in: writes the cachix layout (parsed by nix-instantiate --parse), runs nixos-rebuild switch once, and the caches and users take effect", async () => {
        const { commands, payload } = commandsFor(stack());
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toMatch(/running nixos-rebuild switch/);
        for (const file of payload.nixosFiles!) {
            expect(await remoteFile(`/etc/nixos/${file.path}`)).toBe(file.content);
        }
        expect(await rebuildCalls()).toEqual(["switch"]);
        // The host's own cache file and trusted user stay; ours come on top.
        const report = parseVerifyReport((await host.run("root", commands.verify)).stdout);
        expect(report.drift).toBe(false);
        expect(report.effective.substituters).toEqual(expect.arrayContaining(["https://handmade.cachix.org", CACHE_URL]));
        expect(report.effective.trustedPublicKeys).toEqual(expect.arrayContaining([HANDMADE_KEY, CACHE_KEY]));
        expect(report.effective.trustedUsers).toEqual(expect.arrayContaining(["root", "alice", "ci"]));
    });

    it("stand-in: a second apply changes nothing and does not rebuild", async () => {
        const before = await remoteTree();
        const apply = await host.run("root", commandsFor(stack()).commands.apply);
        expect(apply.code).toBe(0);
        expect(apply.stdout).toMatch(/no change/);
        expect(await remoteTree()).toBe(before);
        expect(await rebuildCalls()).toEqual(["switch"]);
    });

    it("stand-in: a configuration that does not build gets the previous files back, with nothing activated", async () => {
        const before = await remoteTree();
        const calls = await allRebuildCalls();
        await host.run("root", "touch /run/nixos-rebuild.fail");
        const apply = await host.run("root", commandsFor(stack({ trustedUsers: ["ci", "bob"] })).commands.apply);
        await host.run("root", "rm /run/nixos-rebuild.fail");
        expect(apply.code).toBe(1);
        expect(apply.stderr).toMatch(/nixos-rebuild build failed, so nothing was activated: stand-in nixos-rebuild: failing as the test asked/);
        expect(apply.stderr).toMatch(/put the previous files under \/etc\/nixos back/);
        expect(await remoteTree()).toBe(before);
        expect((await allRebuildCalls()).slice(calls.length)).toEqual(["build"]);
    });

    it("stand-in: when activation fails, the files go back and the previous generation is rolled back to, with the log's last lines", async () => {
        const before = await remoteTree();
        const nixConf = await remoteFile("/etc/nix/nix.conf");
        const calls = await allRebuildCalls();
        await host.run("root", "touch /run/nixos-rebuild.fail-activation");
        const apply = await host.run("root", commandsFor(stack({ trustedUsers: ["ci", "bob"] })).commands.apply);
        await host.run("root", "rm /run/nixos-rebuild.fail-activation");
        expect(apply.code).toBe(1);
        expect(apply.stderr).toMatch(/nixos-rebuild switch failed: .*stand-in activation: failing as the test asked/s);
        expect(apply.stderr).toMatch(/nixos-rebuild switch --rollback: the previous generation is active again/);
        expect((await allRebuildCalls()).slice(calls.length)).toEqual(["build", "switch", "switch --rollback"]);
        expect(await remoteTree()).toBe(before);
        expect(await remoteFile("/etc/nix/nix.conf")).toBe(nixConf);
    });

    it("stand-in: with nixosRebuild none the files change, nothing rebuilds, and verify reports the settings as pending", async () => {
        const calls = (await rebuildCalls()).length;
        const { commands } = commandsFor(stack({ trustedUsers: ["ci", "bob"], nixosRebuild: "none" }));
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toMatch(/run `nixos-rebuild switch` to use them/);
        expect(await rebuildCalls()).toHaveLength(calls);
        const verify = await host.run("root", commands.verify);
        expect(verify.code).toBe(0);
        expect(parseVerifyReport(verify.stdout).checks).toContainEqual({ status: "pending", item: "effective", detail: expect.stringContaining("trusted-user bob") });
        // Back to the declared state, which rebuilds.
        expect((await host.run("root", commandsFor(stack()).commands.apply)).code).toBe(0);
    });

    it("stand-in: with nixosRebuild none, a removed cache and user stay pending until a rebuild by anyone takes the files in", async () => {
        const other = (host2: Record<string, unknown>) => testStack({ url: OTHER_CACHE_URL, publicKey: CACHE_KEY, private: false }, host, { kind: "nixos", ...host2 });
        const before = commandsFor(other({ trustedUsers: ["ci", "erin"] }));
        expect((await host.run("root", before.commands.apply)).code).toBe(0);
        expect(parseVerifyReport((await host.run("root", before.commands.verify)).stdout).drift).toBe(false);
        // The cache and erin are no longer declared; nothing rebuilds.
        const { commands } = commandsFor(stack({ nixosRebuild: "none" }));
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toContain(`pending: no longer declared, still in effect until the next nixos-rebuild switch: substituter ${OTHER_CACHE_URL}; trusted-user erin`);
        const pending = await host.run("root", commands.verify);
        expect(pending.code, pending.stdout).toBe(0);
        expect(parseVerifyReport(pending.stdout).checks).toContainEqual({
            status: "pending",
            item: "effective",
            detail: `no longer declared, still in effect (nixosRebuild: none): substituter ${OTHER_CACHE_URL}; trusted-user erin`,
        });
        // Someone rebuilds by hand: nothing is pending any more, and the next apply forgets them.
        expect((await host.run("root", "/run/current-system/sw/bin/nixos-rebuild switch")).code).toBe(0);
        const verify = await host.run("root", commands.verify);
        expect(verify.code, verify.stdout).toBe(0);
        expect(parseVerifyReport(verify.stdout).checks.filter((c) => c.status !== "ok")).toEqual([]);
        expect((await host.run("root", commands.apply)).stdout).not.toContain("pending");
        expect(await remoteFile("/etc/nixos/.nix-cache.backup/retired")).toBeUndefined();
        expect((await host.run("root", commandsFor(stack()).commands.apply)).code).toBe(0);
    });

    it("stand-in: none, then switch with the same caches, rebuilds and converges", async () => {
        const declared = { trustedUsers: ["ci", "dave"] };
        const none = await host.run("root", commandsFor(stack({ ...declared, nixosRebuild: "none" })).commands.apply);
        expect(none.code, none.stderr).toBe(0);
        const calls = (await rebuildCalls()).length;
        const { commands } = commandsFor(stack(declared));
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toMatch(/running nixos-rebuild switch: the effective configuration lacks trusted-user dave/);
        expect(await rebuildCalls()).toHaveLength(calls + 1);
        expect(parseVerifyReport((await host.run("root", commands.verify)).stdout).drift).toBe(false);
        // Converged: the next apply neither changes nor rebuilds.
        expect((await host.run("root", commands.apply)).stdout).toMatch(/no change/);
        expect(await rebuildCalls()).toHaveLength(calls + 1);
    });

    it("stand-in: an apply killed after writing the files, before its rebuild finished, converges on the next apply", async () => {
        const declared = { trustedUsers: ["ci", "erin"] };
        const { commands } = commandsFor(stack(declared));
        await host.run("root", "touch /run/nixos-rebuild.kill");
        const killed = await host.run("root", commands.apply);
        expect(killed.code).not.toBe(0);
        expect(await remoteFile("/etc/nixos/cachix/nix-cache.trusted-users.nix")).toContain('"erin"');
        const calls = (await rebuildCalls()).length;
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stderr).toMatch(/removed the lock of nix-cache process .*, which no longer runs/);
        expect(apply.stdout).toMatch(/running nixos-rebuild switch: the effective configuration lacks trusted-user erin/);
        expect(await rebuildCalls()).toHaveLength(calls + 1);
        expect(parseVerifyReport((await host.run("root", commands.verify)).stdout).drift).toBe(false);
        expect((await host.run("root", commandsFor(stack()).commands.apply)).code).toBe(0);
    });

    it("stand-in: destroy puts back the glue `cachix use` wrote, byte for byte, keeps the host's own cache file, and rebuilds", async () => {
        const { commands } = commandsFor(stack());
        const destroy = await host.run("root", commands.destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(await remoteFile("/etc/nixos/cachix.nix")).toBe(CACHIX_USE_GLUE);
        const files = (await host.run("root", "cd /etc/nixos && find . | sort")).stdout.trim().split("\n");
        expect(files).toEqual([".", "./cachix", "./cachix.nix", "./cachix/handmade.nix", "./configuration.nix", "./hardware-configuration.nix"]);
        expect((await rebuildCalls()).pop()).toBe("switch");
        const report = parseVerifyReport((await host.run("root", commands.verify)).stdout);
        expect(report.effective.substituters).not.toContain(CACHE_URL);
        expect(report.effective.trustedUsers).not.toContain("ci");
    });
    it("stand-in: a symlinked git flake gets the files next to it, each new one `git add -N`ed, and destroy takes them out of the index", async () => {
        // The flake lives elsewhere; /etc/nixos/flake.nix links to it, as nixos-rebuild resolves.
        const git = "git -c user.name=t -c user.email=t@example.org";
        const setup = await host.run(
            "root",
            [
                "set -e",
                "mkdir /etc/nixos-flake",
                "cp -R /etc/nixos/. /etc/nixos-flake/",
                "rm -rf /etc/nixos-flake/.nix-cache.backup",
                "printf '%s\\n' '{ outputs = { self }: { nixosModules.default = ./configuration.nix; }; }' > /etc/nixos-flake/flake.nix",
                `cd /etc/nixos-flake && git init -q . && ${git} add -A && ${git} commit -q -m own`,
                "ln -s /etc/nixos-flake/flake.nix /etc/nixos/flake.nix",
            ].join("\n"),
        );
        expect(setup.code, setup.stderr).toBe(0);
        const tracked = async () => (await host.run("root", "cd /etc/nixos-flake && git ls-files && git status --porcelain")).stdout;
        const own = await tracked();

        const { commands, payload } = commandsFor(stack({ trustedUsers: ["ci", "frank"] }));
        const apply = await host.run("root", commands.apply);
        expect(apply.code, apply.stderr).toBe(0);
        expect(apply.stdout).toMatch(/\/etc\/nixos\/flake\.nix is a symbolic link: nixos-rebuild builds the flake in \/etc\/nixos-flake/);
        for (const file of payload.nixosFiles!) {
            expect(await remoteFile(`/etc/nixos-flake/${file.path}`)).toBe(file.content);
        }
        // Each file the flake did not know is added with intent-to-add; the glue was tracked.
        const added = (await host.run("root", "cd /etc/nixos-flake && git diff --name-only --diff-filter=A")).stdout.trim().split("\n").sort();
        expect(added).toEqual(payload.nixosFiles!.map((f) => f.path).filter((f) => f !== "cachix.nix").sort());
        // The stand-in read the flake's source as Nix copies it: the new settings are in effect.
        const report = parseVerifyReport((await host.run("root", commands.verify)).stdout);
        expect(report.drift).toBe(false);
        expect(report.effective.trustedUsers).toContain("frank");
        expect(report.checks).toContainEqual({ status: "ok", item: "import", detail: "/etc/nixos-flake/configuration.nix imports ./cachix.nix" });

        // Taken out of the index by hand, a file is not in the flake's source: the next rebuild
        // loses its settings, and the next apply adds it again and rebuilds.
        const dropped = await host.run("root", "cd /etc/nixos-flake && git rm -q --cached cachix/nix-cache.trusted-users.nix && /run/current-system/sw/bin/nixos-rebuild switch");
        expect(dropped.code, dropped.stderr).toBe(0);
        expect(parseVerifyReport((await host.run("root", commands.verify)).stdout).effective.trustedUsers).not.toContain("frank");
        const again = await host.run("root", commands.apply);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toMatch(/git add --intent-to-add cachix\/nix-cache\.trusted-users\.nix/);
        expect(again.stdout).toMatch(/running nixos-rebuild switch: the effective configuration lacks .*trusted-user frank/);
        expect(parseVerifyReport((await host.run("root", commands.verify)).stdout).drift).toBe(false);

        const destroy = await host.run("root", commands.destroy);
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(destroy.stdout.match(/git rm --cached cachix\/nix-cache\.trusted-users\.nix/g)).toHaveLength(1);
        expect(await tracked()).toBe(own);
        await host.run("root", "rm -rf /etc/nixos/flake.nix /etc/nixos-flake");
    });
});
