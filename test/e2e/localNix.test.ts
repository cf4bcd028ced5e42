import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { LOCAL_NIX_CONF_DIR } from "../../scripts/localhost/localNix";
import { exec } from "../../scripts/localhost/exec";
import { words } from "../support/nix";
import { requireBuilderHost } from "./support/requirements";

// The machine settings every Nix of the suite, the demo and the bench runs with (set for each
// test file by test/support/localNixSetup.ts): a brand-new machine with Debian's nix-bin and
// no /etc/nix at all builds store paths, and nothing reaches for a substituter that cannot
// answer here.

const requirements = requireBuilderHost();

const NIX_COMMAND = ["--extra-experimental-features", "nix-command"];

/** `nix show-config` as `key = value` pairs. */
function settings(output: string): Record<string, string> {
    return Object.fromEntries(output.split("\n").flatMap((line) => {
        const match = /^(\S+) = ?(.*)$/.exec(line);
        return match ? [[match[1], match[2]]] : [];
    }));
}

function tinyDerivation(label: string): string {
    const name = `nix-cache-local-${label}-${process.pid}-${Date.now()}`;
    return `derivation { name = "${name}"; builder = "/bin/sh"; args = [ "-c" "echo ${name} > $out" ]; system = builtins.currentSystem; }`;
}

describe.skipIf(requirements.skip)("the project's own Nix settings on this machine", () => {
    let host: BuilderHost;
    beforeAll(async () => {
        host = await startBuilderHost({ ownNixConf: "# a host of this test\n" });
    });
    afterAll(async () => host?.remove());

    it("every Nix the suite starts reads them: no build users, no sandbox, no substituter", async () => {
        expect(process.env.NIX_CONF_DIR).toBe(LOCAL_NIX_CONF_DIR);
        expect(process.env.NIX_USER_CONF_FILES).toBe("");
        const result = await exec("nix", [...NIX_COMMAND, "show-config"]);
        expect(result.code).toBe(0);
        const effective = settings(result.stdout);
        expect(effective["build-users-group"]).toBe("");
        expect(effective.sandbox).toBe("false");
        expect(words(effective.substituters)).toEqual([]);
    });

    it("a store build succeeds as root without a nixbld group, and contacts no substituter", async () => {
        const result = await exec("nix-build", ["--no-out-link", "-E", tinyDerivation("build")]);
        expect(result.stderr).not.toMatch(/build-users-group|does not exist/);
        expect(result.code).toBe(0);
        const out = result.stdout.trim();
        expect(fs.existsSync(out)).toBe(true);
        // Nix names every substituter it queries or fails to reach on stderr; none is queried.
        expect(result.stderr).not.toMatch(/https?:\/\/|warning|unable to download|retrying/i);
    });

    it("a builder host's own nix.conf starts with them, and the host builds over SSH", async () => {
        const own = fs.readFileSync(path.join(host.nixConfDir, "nix.conf"), "utf8");
        expect(own).toBe(host.ownNixConf);
        expect(own.startsWith(fs.readFileSync(path.join(LOCAL_NIX_CONF_DIR, "nix.conf"), "utf8"))).toBe(true);
        const shown = await host.run("root", `nix ${NIX_COMMAND.join(" ")} show-config`);
        expect(shown.code).toBe(0);
        expect(words(settings(shown.stdout).substituters)).toEqual([]);
        expect(settings(shown.stdout)["build-users-group"]).toBe("");
        const built = await host.run("root", `nix-build --no-out-link -E '${tinyDerivation("host")}'`);
        expect(built.stderr).not.toMatch(/https?:\/\/|warning|retrying/i);
        expect(built.code).toBe(0);
    });
});
