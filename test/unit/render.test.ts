import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { renderStack } from "../../cli/render";

const ROOT = path.resolve(__dirname, "../..");
const temps: string[] = [];
const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    temps.push(dir);
    return dir;
};
afterEach(() => temps.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Runs the real `render` command as a user would. */
function renderCli(args: string[], env: Record<string, string> = {}) {
    return spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "cli/render.ts"), ...args], { encoding: "utf8", cwd: ROOT, env: { ...process.env, ...env } });
}

/** A state backend of its own with no stack in it: render then has no state to compare with. */
const emptyBackend = () => {
    const dir = tempDir();
    return { PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_HOME: path.join(dir, "home"), PULUMI_CONFIG_PASSPHRASE: "unused" };
};

describe("render", () => {
    it("writes every artifact of the atproto stack and a manifest that lists them", () => {
        const out = tempDir();
        const manifest = renderStack("atproto", out);
        const written = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")) as typeof manifest;
        expect(written).toEqual(manifest);
        expect(manifest).toContainEqual({ kind: "nix-conf", target: "stack-output:nixConf", path: "identity/nix.conf" });
        expect(manifest).toContainEqual({ kind: "nixos-module", target: "stack-output:nixosModule", path: "identity/nixos-module.nix" });
        for (const entry of manifest) {
            expect(Object.keys(entry).sort()).toEqual(["kind", "path", "target"]);
            expect(fs.existsSync(path.join(out, entry.path)), entry.path).toBe(true);
        }
        expect(fs.readFileSync(path.join(out, "identity/nix.conf"), "utf8")).toContain("substituters = https://cache.nixos.org https://atproto.cachix.org\n");
    });

    it("is deterministic: two renders are byte-for-byte equal", () => {
        const [a, b] = [tempDir(), tempDir()];
        const manifest = renderStack("atproto", a);
        renderStack("atproto", b);
        for (const entry of [...manifest, { path: "manifest.json" }]) {
            expect(fs.readFileSync(path.join(a, entry.path))).toEqual(fs.readFileSync(path.join(b, entry.path)));
        }
    });

    it("renders every example stack that declares its keys, and asks for them when one does not (render does not ask Cachix)", () => {
        const stacks = fs.readdirSync(path.join(ROOT, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
        expect(stacks.length).toBeGreaterThanOrEqual(2);
        const keyless = ["local"];
        for (const name of stacks.map((file) => file.slice(7, -5))) {
            if (keyless.includes(name)) {
                expect(() => renderStack(name, tempDir())).toThrow("nix-cache:cache.publicKeys: is required; expected a list of KEYNAME:base64 public keys (render works offline");
            } else {
                expect(renderStack(name, tempDir()).length).toBeGreaterThan(0);
            }
        }
    });

    it("writes placeholders, never secret values, from a stack with encrypted secrets", () => {
        const stacksDir = tempDir();
        fs.writeFileSync(
            path.join(stacksDir, "Pulumi.private.yaml"),
            [
                "config:",
                "  nix-cache:cache:",
                "    name: atproto",
                "    private: true",
                "    publicKeys: [atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=]",
                "  nix-cache:cachixAuthToken:",
                "    secure: v1:CIPHERTEXTsecretvalue==",
                "",
            ].join("\n"),
        );
        const out = tempDir();
        renderStack("private", out, stacksDir);
        expect(fs.readFileSync(path.join(out, "identity/netrc"), "utf8")).toBe("machine atproto.cachix.org password <secret:cachixAuthToken>\n");
        const everything = fs.readdirSync(out, { recursive: true }).map((f) => path.join(out, String(f)));
        for (const file of everything.filter((f) => fs.statSync(f).isFile())) {
            expect(fs.readFileSync(file, "utf8")).not.toContain("CIPHERTEXT");
        }
    });

    it("the command prints every problem of a broken stack, exits non-zero and writes nothing", () => {
        const stacksDir = tempDir();
        fs.writeFileSync(
            path.join(stacksDir, "Pulumi.broken.yaml"),
            "config:\n  nix-cache:cache:\n    name: Bad_Name\n    publicKeys: [nope]\n  nix-cache:hostz: []\n",
        );
        const out = path.join(tempDir(), "out");
        const result = renderCli(["--stack", "broken", "--out", out, "--stacks-dir", stacksDir]);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("Invalid stack configuration (3 problems):");
        expect(result.stderr).toContain("nix-cache:cache.name:");
        expect(result.stderr).toContain("nix-cache:cache.publicKeys[0]:");
        expect(result.stderr).toContain("nix-cache:hostz: unknown config key");
        expect(fs.existsSync(out)).toBe(false);
    });

    it("the command explains a missing stack and bad arguments", () => {
        const missing = renderCli(["--stack", "nope", "--out", tempDir()]);
        expect(missing.status).toBe(1);
        expect(missing.stderr).toMatch(/No stack file for stack "nope" at .*; known stacks: .*atproto/);
        const usage = renderCli(["--out", tempDir()]);
        expect(usage.status).toBe(2);
        expect(usage.stderr).toContain("Usage: npm run render -- --stack NAME [--out DIR]");
    });

    it("without --out, the command prints what each host and repository gets, with the pinned actions, and writes nothing", () => {
        const result = renderCli(["--stack", "atproto"], emptyBackend());
        expect(result.status).toBe(0);
        // Offline and without a stack state, it still prints the summary, and says why nothing is compared.
        expect(result.stdout.split("\n")[0]).toMatch(/^stack atproto: what `pulumi up` applies; what would change: no state to compare with \(pulumi stack export: .*atproto.*\)$/);
        expect(result.stdout).toContain("\nhost builder-debian (nix, admin@203.0.113.11:22)\n  files: /etc/nix/nix-cache.conf, and two include lines at the end of /etc/nix/nix.conf\n");
        expect(result.stdout).toContain("\nrepository atproto-nix/nur\n  .github/workflows/build.yml\n");
        expect(result.stdout).toContain("    uses actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n");
        expect(result.stdout).toContain("    uses cachix/cachix-action@1eb2ef646ac0255473d23a5907ad7b04ce94065c # v17\n");
        expect(result.stdout).toContain("\nGitHub Actions secrets\n  CACHIX_AUTH_TOKEN (repository nur)\n");
        // A summary, not the scripts.
        expect(result.stdout).not.toContain("#!/bin/sh");
        expect(result.stdout.split("\n").length).toBeLessThan(40);
    });

    it("the command writes the files and prints the manifest", () => {
        const out = tempDir();
        const result = renderCli(["--stack", "atproto", "--out", out]);
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(/nix-conf\s+identity\/nix\.conf\s+-> stack-output:nixConf/);
        expect(fs.existsSync(path.join(out, "manifest.json"))).toBe(true);
    });
});
