import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderHost, openBuilderHost } from "../../scripts/localhost/builderHost";
import { failureOf, recordUp } from "../../scripts/localhost/engine/engineRun";
import { createEngineStack, EngineConfig, engineConfig, EngineStack, hostEntry } from "../../scripts/localhost/engine/engineStack";
import { keyOnlyConfig } from "./support/keyOnlyStack";
import { requireEngine } from "./support/requirements";

// A remote command that fails on a real host says, through the real engine, which host and step
// failed and what the script reported: the command provider quotes the command line in its
// error, and the line is short since the script travels on stdin.

const requirements = requireEngine();

let alpha: BuilderHost;
let engine: EngineStack;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    engine = await createEngineStack("errors");
    alpha = await openBuilderHost({ dir: path.join(engine.root, "alpha"), ownNixConf: "# a host of this test\n" });
    await alpha.start();
});

afterAll(async () => {
    await alpha?.remove();
    await engine?.remove();
});

const config = (hosts: EngineConfig["hosts"]): EngineConfig => keyOnlyConfig(hosts, alpha.privateKey);

describe.skipIf(requirements.skip)("engine: a failing remote command's error", () => {
    it("names the host and the step and carries what the script said, never the script", async () => {
        // Declared NixOS, which this host is not: the apply script stops, saying why.
        await engine.stack.setAllConfig(engineConfig(config([hostEntry("alpha", alpha, { kind: "nixos" })])));
        const run = await recordUp(engine.stack, engine.transcript);
        expect(run.failed).toEqual(["nix-cache-host-alpha-settings"]);
        const failure = failureOf(engine.transcript, "nix-cache-host-alpha-settings");
        expect(failure).toContain("nix-cache apply"); // the step, in the command line
        expect(failure).toMatch(/nix-cache: error on host alpha \([^)]*\): /);
        // The script's text (its header, a library function) is neither in the diagnostic nor in what the CLI printed.
        expect(run.error?.message).toContain("nix-cache-host-alpha-settings");
        for (const text of [failure, run.error!.message]) {
            expect(text).not.toContain("#!/bin/sh");
            expect(text).not.toContain("nc_write_managed_conf");
        }
        expect(failure.length).toBeLessThan(2_000);
    }, 120_000);
});
