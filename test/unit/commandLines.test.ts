import { spawnSync } from "child_process";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { benchArgs } from "../../bench/run";
import { renderArgs } from "../../cli/render";
import { schemaArgs } from "../../cli/schema";
import { verifyArgs } from "../../cli/verify";
import { demoArgs } from "../../scripts/demo";

// Every command line is read by node:util parseArgs, strictly; misuse is a usage error (exit 2).

const ROOT = path.resolve(__dirname, "../..");

function run(script: string, args: string[]) {
    return spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, script), ...args], { encoding: "utf8", cwd: ROOT });
}

/** The error of a refused command line (fails the test when it was accepted). */
function refused(result: object): string {
    expect(result).toHaveProperty("error");
    return (result as { error: string }).error;
}

describe("render's command line", () => {
    it("takes --stack, --out and --stacks-dir, in either spelling", () => {
        expect(renderArgs(["--stack", "atproto", "--out", "o", "--stacks-dir=s"])).toEqual({ stack: "atproto", out: "o", "stacks-dir": "s" });
        expect(renderArgs(["--out=o", "--stack=atproto"])).toEqual({ stack: "atproto", out: "o" });
    });

    it("refuses a missing option, a missing value, an unknown option and a positional", () => {
        expect(renderArgs(["--stack", "atproto"])).toEqual({ stack: "atproto" });
        expect(refused(renderArgs(["--out", "o"]))).toMatch(/^Missing --stack\.\nUsage: npm run render -- --stack NAME \[--out DIR\]/);
        expect(refused(renderArgs(["--out", "o", "--stack"]))).toMatch(/'--stack <value>' argument missing[\s\S]*\nUsage: npm run render/);
        expect(refused(renderArgs(["--stack", "atproto", "--out", "o", "--force"]))).toMatch(/Unknown option '--force'/);
        expect(refused(renderArgs(["atproto", "--out", "o"]))).toMatch(/Unexpected argument 'atproto'/);
        expect(refused(renderArgs(["--stack=", "--out", "o"]))).toMatch(/^Empty value for --stack\./);
    });

    it("never takes --stack as the value of --out", () => {
        expect(refused(renderArgs(["--out", "--stack", "atproto"]))).toMatch(/Option '--out' argument is ambiguous/);
    });
});

describe("verify's command line", () => {
    it("takes --stack, and optionally --identity, --host, --stacks-dir and the mirror keys", () => {
        expect(verifyArgs(["--stack", "e2e"])).toEqual({ stack: "e2e" });
        expect(verifyArgs(["--identity", "key", "--host", "good", "--stacks-dir", "s", "--stack", "e2e"])).toEqual({ stack: "e2e", identity: "key", host: "good", "stacks-dir": "s" });
        expect(verifyArgs(["--stack", "e2e", "--mirror-key", "m-2:AAAA", "--mirror-previous-key", "m-1:AAAA"])).toEqual({
            stack: "e2e",
            "mirror-key": "m-2:AAAA",
            "mirror-previous-key": "m-1:AAAA",
        });
    });

    it("never takes --stack as the value of --identity or --host", () => {
        expect(refused(verifyArgs(["--identity", "--stack", "e2e"]))).toMatch(/Option '--identity' argument is ambiguous[\s\S]*\nUsage: npm run verify -- --stack NAME/);
        expect(refused(verifyArgs(["--stack", "e2e", "--host", "--stack", "other"]))).toMatch(/Option '--host' argument is ambiguous/);
        // Written out with `=`, a value that starts with a dash is the user's plain intent.
        expect(verifyArgs(["--identity=-key", "--stack", "e2e"])).toEqual({ stack: "e2e", identity: "-key" });
    });

    it("refuses a missing --stack, an empty value and an unknown option", () => {
        expect(refused(verifyArgs(["--identity", "key"]))).toMatch(/^Missing --stack\.\nUsage: npm run verify/);
        expect(refused(verifyArgs(["--stack", "e2e", "--host="]))).toMatch(/^Empty value for --host\./);
        expect(refused(verifyArgs(["--stack", "e2e", "-i", "key"]))).toMatch(/Unknown option '-i'/);
    });

    it("as a command, exits 2 with the cause and the usage, before reading any stack", () => {
        const result = run("cli/verify.ts", ["--identity", "--stack", "e2e"]);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(/'--identity' argument is ambiguous[\s\S]*Usage: npm run verify -- --stack NAME/);
        expect(result.stdout).toBe("");
    });
});

describe("schema's command line", () => {
    it("takes no arguments and refuses any", () => {
        expect(schemaArgs([])).toEqual({});
        expect(refused(schemaArgs(["--out", "x"]))).toMatch(/Unknown option '--out'[\s\S]*\nUsage: npm run schema$/);
        expect(refused(schemaArgs(["stacks/x.json"]))).toMatch(/Unexpected argument 'stacks\/x.json'/);
    });

    it("as a command, exits 2 on an argument without writing the schema file", () => {
        const result = run("cli/schema.ts", ["--check"]);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(/Unknown option '--check'/);
        expect(result.stdout).not.toMatch(/Wrote/);
    });
});

describe("the demo's command line", () => {
    it("takes --destroy, --dir and --stacks-dir; directories are made absolute", () => {
        expect(demoArgs([])).toEqual({ destroy: false, dir: undefined, stacksDir: undefined });
        expect(demoArgs(["--destroy", "--dir", "d", "--stacks-dir=s"])).toEqual({ destroy: true, dir: path.resolve("d"), stacksDir: path.resolve("s") });
    });

    it("refuses a flag with a value, a missing value, an option as a value and an unknown option", () => {
        expect(refused(demoArgs(["--destroy=yes"]))).toMatch(/'--destroy' does not take an argument[\s\S]*\nUsage: npm run demo/);
        expect(refused(demoArgs(["--dir"]))).toMatch(/'--dir <value>' argument missing/);
        expect(refused(demoArgs(["--dir", "--stacks-dir", "s"]))).toMatch(/Option '--dir' argument is ambiguous/);
        expect(refused(demoArgs(["--teardown"]))).toMatch(/Unknown option '--teardown'/);
    });

    it("as a command, exits 2 before starting anything", () => {
        const result = run("scripts/demo.ts", ["--bogus"]);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(/Unknown option '--bogus'[\s\S]*Usage: npm run demo \[-- --destroy\] \[--dir DIR\] \[--stacks-dir DIR\]/);
        expect(result.stdout).toBe("");
    });
});

describe("bench's command line", () => {
    it("takes --quick and --only with a part's name", () => {
        expect(benchArgs([])).toEqual({ quick: false, only: undefined });
        expect(benchArgs(["--quick", "--only", "substitution"])).toEqual({ quick: true, only: "substitution" });
        expect(benchArgs(["--only=program"])).toEqual({ quick: false, only: "program" });
    });

    it("refuses an unknown part, a missing value, an option as a value and an unknown option", () => {
        expect(refused(benchArgs(["--only", "everything"]))).toBe("--only everything: expected one of program, apply, substitution, provider, github");
        expect(refused(benchArgs(["--only"]))).toMatch(/'--only <value>' argument missing[\s\S]*\nUsage: npm run bench -- \[--quick\] \[--only program\|apply\|substitution\|provider\|github\]/);
        expect(refused(benchArgs(["--only", "--quick"]))).toMatch(/Option '--only' argument is ambiguous/);
        expect(refused(benchArgs(["--full"]))).toMatch(/Unknown option '--full'/);
    });

    it("as a command, exits 2 before running any part", () => {
        const result = run("bench/run.ts", ["--only", "everything"]);
        expect(result.status).toBe(2);
        expect(result.stderr).toBe("bench: --only everything: expected one of program, apply, substitution, provider, github\n");
    });
});
