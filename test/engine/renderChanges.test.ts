import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { exec } from "../../scripts/localhost/exec";
import { recordPreviewDiff, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, engineCliEnv, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { requireEngine } from "./support/requirements";

// `npm run render -- --stack S` without --out, after a real `up`: it reads the stack's state as
// `pulumi stack export` prints it and says, per host, what the next up would change. The stack
// file is then edited (a trusted user and a cache added, a host added, a host removed).

const requirements = requireEngine();
const STACK = "render-changes";
const TOKEN = "render-token.5d1e_90aa";
const EXTRA_KEY = "extra.example.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=";

let cache: BinaryCache;
let host: BuilderHost;
let engine: EngineStack;

function config(hosts: EngineConfig["hosts"], extraCaches: EngineConfig["extraCaches"] = []): EngineConfig {
    return {
        cache: { url: cache.url, publicKey: cache.publicKey, private: true },
        extraCaches,
        hosts,
        cachixAuthToken: TOKEN,
        privateKeys: { sshPrivateKey: host.privateKey },
    };
}

/** A host the stack declares and never reaches (render contacts no host). */
const unreached = () => ({ name: "beta", kind: "nix", address: "127.0.0.1", port: 9, hostKey: host.hostKey, nixConfDir: "/nonexistent/nix" });

/** The real command, as a user runs it, with the stack's backend in the environment. */
async function render(env: Record<string, string> = {}): Promise<string> {
    const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
    const cli = path.join(__dirname, "../../cli/render.ts");
    const result = await exec(tsx, [cli, "--stack", STACK, "--stacks-dir", engine.dirs.work], { env: { ...process.env, ...engineCliEnv(engine), ...env } });
    expect(result.code, result.stderr).toBe(0);
    for (const secret of [TOKEN, "PRIVATE KEY", "ciphertext"]) {
        expect(result.stdout).not.toContain(secret);
    }
    return result.stdout;
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1", token: TOKEN });
    engine = await createEngineStack(STACK);
    host = await startBuilderHost({ dir: path.join(engine.root, "host"), ownNixConf: "# a host of this test\n" });
    await engine.stack.setAllConfig(engineConfig(config([hostEntry("builder", host, { trustedUsers: ["ci"] })])));
});

afterAll(async () => {
    await host?.remove();
    await engine?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("engine: render says what the next up would change", () => {
    it("before any up: not applied yet, and the summary still prints", async () => {
        const text = await render();
        expect(text.split("\n")[0]).toMatch(/^stack render-changes: what `pulumi up` applies; what would change: (not applied yet|no state to compare with)/);
        expect(text).toContain("\nhost builder (nix, ");
        expect(text).not.toContain("would change:  ");
    }, 60_000);

    it("right after an up: the host is unchanged", async () => {
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
        const text = await render();
        expect(text.split("\n")[0]).toBe("stack render-changes: what `pulumi up` applies; what would change: compared with what its last up recorded (secrets are never compared)");
        expect(text).toContain("\n  would change: unchanged since the last up\n");
        // Nothing is decrypted: a user without the stack's passphrase gets the same comparison.
        expect(await render({ PULUMI_CONFIG_PASSPHRASE: "not the stack's" })).toBe(text);
    }, 180_000);

    it("after the stack file changed: the added cache, key and trusted user by name, the netrc unchanged, a new host added", async () => {
        const builder = hostEntry("builder", host, { trustedUsers: ["ci", "alice"] });
        await engine.stack.setAllConfig(engineConfig(config([builder, unreached()], [{ url: "https://extra.example.org", publicKey: EXTRA_KEY }])));
        const logins = host.logins();
        const text = await render();
        expect(host.logins(), "render contacts no host").toBe(logins);
        const lines = text.split("\n");
        // The first change line after the host's head.
        const changeOf = (name: string) => lines.slice(lines.findIndex((line) => line.startsWith(`host ${name} (`))).find((line) => line.startsWith("  would change: "));
        expect(changeOf("builder")).toMatch(new RegExp(`^  would change: substituters \\+https://extra\\.example\\.org/?; trusted-public-keys \\+${EXTRA_KEY.replace(/[+/.]/g, "\\$&")}; trusted-users \\+alice; netrc unchanged$`));
        expect(changeOf("beta")).toBe("  would change: added: not applied yet");
    }, 60_000);

    it("what render names, the preview changes, and after that up render says unchanged", async () => {
        const builder = hostEntry("builder", host, { trustedUsers: ["ci", "alice"] });
        await engine.stack.setAllConfig(engineConfig(config([builder], [{ url: "https://extra.example.org", publicKey: EXTRA_KEY }])));
        expect(await render()).toContain("trusted-users +alice; netrc unchanged\n");
        const preview = await recordPreviewDiff(engine.stack, engine.transcript);
        expect(preview.error).toBeUndefined();
        expect(preview.changed["nix-cache-host-builder-settings"]).toEqual(["update"]);
        expect(preview.changed["nix-cache-host-builder-netrc"]).toBeUndefined();
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
        expect(await render()).toContain("\n  would change: unchanged since the last up\n");
    }, 240_000);

    it("a host removed from the stack file: its files are undone by the next up", async () => {
        await engine.stack.setAllConfig(engineConfig(config([unreached()])));
        const text = await render();
        expect(text).toContain("\nhost builder: removed from the stack file: its files are undone by the next up\n");
    }, 60_000);
});
