import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCache, startBinaryCache } from "../../scripts/localhost/binaryCache";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { recordPreviewDiff, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { outputsInState } from "./support/engineState";
import { snapshotDir, touchedFiles } from "./support/hostChecks";
import { plaintextHits, stackAndHostPlaces } from "./support/plaintext";
import { requireEngine } from "./support/requirements";

// The preview is the drift report: one real host (sshd + Nix) under the real engine. A healthy
// host previews clean (`--expect-no-changes` passes) and a no-op `up` logs in once (the read);
// each way a host can drift shows in the preview as its settings command changing in place,
// with the reason in words, the next `up` repairs it, and the preview after that is clean.

const requirements = requireEngine();
const TOKEN = "drift-token.a41c_77e0";
const STALE = "drift-token.stale_0b9d";
const OWN_NIX_CONF = "# a host of this test\n";

let cache: BinaryCache;
let host: BuilderHost;
let engine: EngineStack;

const settings = "nix-cache-host-builder-settings";
const netrc = "nix-cache-host-builder-netrc";
const verify = "nix-cache-host-builder-verify";
const conf = () => path.join(host.nixConfDir, "nix.conf");
const managed = () => path.join(host.nixConfDir, "nix-cache.conf");
const netrcFile = () => path.join(host.nixConfDir, "netrc");

function config(): EngineConfig {
    return {
        cache: { url: cache.url, publicKey: cache.publicKey, private: true },
        hosts: [hostEntry("builder", host, { trustedUsers: ["ci"] })],
        cachixAuthToken: TOKEN,
        privateKeys: { sshPrivateKey: host.privateKey },
    };
}

/** A healthy host: a clean preview, then an up that changes nothing and logs in once. */
async function expectInEffect(): Promise<void> {
    let logins = host.logins();
    const preview = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
    expect(preview.error, preview.stdout).toBeUndefined();
    expect(preview.changed).toEqual({});
    expect(host.logins() - logins, "a preview reads the host once").toBe(1);
    logins = host.logins();
    const before = snapshotDir(host.nixConfDir);
    const run = await recordUp(engine.stack, engine.transcript);
    expect(run.error).toBeUndefined();
    expect(run.changed).toEqual({});
    expect(host.logins() - logins, "a no-op up reads the host once, and runs nothing").toBe(1);
    expect(touchedFiles(before, snapshotDir(host.nixConfDir))).toEqual([]);
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    cache = await startBinaryCache({ keyName: "engine.cachix.org-1", token: TOKEN });
    engine = await createEngineStack("drift");
    host = await startBuilderHost({ dir: path.join(engine.root, "host"), ownNixConf: OWN_NIX_CONF });
    await engine.stack.setAllConfig(engineConfig(config()));
});

afterAll(async () => {
    await host?.remove();
    await engine?.remove();
    await cache?.close();
});

describe.skipIf(requirements.skip)("engine: the preview reports a host's drift, and up repairs it", () => {
    it("after the first up, a preview with --expect-no-changes passes and a no-op up logs in once", async () => {
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        await expectInEffect();
    }, 180_000);

    // Each drift runs the command that repairs it (the netrc's never for a file: it would send the
    // token again), and verify after it; verify's stdin carries the reasons readably.
    const drifts: { what: string; drift: () => void; reason: () => string; repairedBy: string; repaired: () => void }[] = [
        {
            what: "a managed file edited",
            drift: () => fs.appendFileSync(managed(), "substituters = https://elsewhere.example.org\n"),
            reason: () => `file: ${managed()} differs from the declared content`,
            repairedBy: settings,
            repaired: () => expect(fs.readFileSync(managed(), "utf8")).not.toContain("elsewhere.example.org"),
        },
        {
            what: "nix.conf with lines after the include, as `cachix use` leaves it",
            drift: () => fs.appendFileSync(conf(), "substituters = https://other.cachix.org\n"),
            reason: () => `include: ${conf()} has lines after its include of nix-cache.conf`,
            repairedBy: settings,
            repaired: () => expect(fs.readFileSync(conf(), "utf8").trimEnd().split("\n").pop()).toBe("!include nix-cache.conf"),
        },
        {
            what: "the netrc removed",
            drift: () => fs.rmSync(netrcFile()),
            reason: () => `netrc: ${netrcFile()} is missing`,
            repairedBy: netrc,
            repaired: () => expect(fs.readFileSync(netrcFile(), "utf8")).toBe(`machine 127.0.0.1 password ${TOKEN}\n`),
        },
        {
            what: "the netrc readable by others",
            drift: () => fs.chmodSync(netrcFile(), 0o644),
            reason: () => `netrc: ${netrcFile()} is readable by others than its owner`,
            repairedBy: netrc,
            repaired: () => expect(fs.statSync(netrcFile()).mode & 0o777).toBe(0o600),
        },
        {
            what: "the netrc holding a stale token",
            drift: () => fs.writeFileSync(netrcFile(), `machine 127.0.0.1 password ${STALE}\n`, { mode: 0o600 }),
            reason: () => "netrc: holds a token other than the declared one",
            repairedBy: netrc,
            repaired: () => expect(fs.readFileSync(netrcFile(), "utf8")).toBe(`machine 127.0.0.1 password ${TOKEN}\n`),
        },
    ];

    for (const { what, drift, reason, repairedBy, repaired } of drifts) {
        it(`${what}: the preview shows the host changing in place, with the reason; up repairs it; the next preview is clean`, async () => {
            drift();
            const preview = await recordPreviewDiff(engine.stack, engine.transcript, { expectNoChanges: true });
            expect(preview.error, "--expect-no-changes fails on a drifted host").toBeDefined();
            expect(preview.changed).toEqual({ [repairedBy]: ["update"], [verify]: ["update"] });
            expect(preview.stdout).toContain(reason());
            expect(preview.stdout).not.toMatch(/replace/);

            const run = await recordUp(engine.stack, engine.transcript);
            expect(run.error).toBeUndefined();
            expect(run.changed).toEqual({ [repairedBy]: ["update"], [verify]: ["update"] });
            repaired();
            await expectInEffect();
        }, 240_000);
    }

    it("the host's outputs are what the latest up found in effect, also when only the host changed", async () => {
        // The host's own lines (above the include) are not drift: apply keeps them as they are.
        const include = "# Added by nix-cache:";
        fs.writeFileSync(conf(), fs.readFileSync(conf(), "utf8").replace(include, `extra-substituters = http://own.example.org\n${include}`));
        await expectInEffect();
        let outputs = await outputsInState(engine.stack, "nix-cache:index:NixHost", "nix-cache-host-builder");
        expect(outputs["effectiveSubstituters"]).toEqual(expect.arrayContaining([cache.url, "http://own.example.org"]));
        // After a repair, what the verify after it found.
        fs.rmSync(managed());
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.error).toBeUndefined();
        expect(run.changed[verify]).toEqual(["update"]);
        outputs = await outputsInState(engine.stack, "nix-cache:index:NixHost", "nix-cache-host-builder");
        expect(outputs["effectiveSubstituters"]).toEqual(expect.arrayContaining([cache.url, "http://own.example.org"]));
        expect(outputs["checks"]).toEqual(expect.arrayContaining([expect.objectContaining({ item: "file", status: "ok" })]));
    }, 240_000);

    it("neither the declared nor the stale token appears in state, engine output, events or sshd's log", () => {
        const secrets = { TOKEN, STALE, sshPrivateKey: host.privateKey };
        const places = stackAndHostPlaces(engine.dirs, engine.transcript, host.logFile);
        expect(engine.transcript.join("").length).toBeGreaterThan(10_000);
        expect(plaintextHits(secrets, places)).toEqual([]);
    });
});
