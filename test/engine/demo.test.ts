import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec, ExecResult } from "../../scripts/localhost/exec";
import { freePort } from "../../scripts/localhost/ports";
import { requireEngine } from "./support/requirements";

// The README's main command, as a user runs it (`tsx scripts/demo.ts`, which `npm run demo` runs
// after setup): up, up again, destroy. It keeps its files in a temporary directory instead of
// .demo/ and reads a copy of stacks/Pulumi.local.yaml with free ports, so it can run next to a
// real demo and other tests.

const requirements = requireEngine();
const ROOT = path.resolve(__dirname, "../..");
let work: string;
let stacksDir: string;
let stackFileText: string;

async function demo(...args: string[]): Promise<ExecResult & { text: string }> {
    const result = await exec(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(ROOT, "scripts/demo.ts"), "--dir", path.join(work, "demo"), "--stacks-dir", stacksDir, ...args]);
    return { ...result, text: result.stdout + result.stderr };
}

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-demo-test-"));
    stacksDir = path.join(work, "stacks");
    fs.mkdirSync(stacksDir);
    const stack = parse(fs.readFileSync(path.join(ROOT, "stacks/Pulumi.local.yaml"), "utf8")) as { config: Record<string, { url?: string } & Record<string, unknown>> };
    const cache = stack.config["nix-cache:cache"];
    cache.url = `http://127.0.0.1:${await freePort()}`;
    (stack.config["nix-cache:hosts"] as unknown as { port: number }[])[0].port = await freePort();
    stackFileText = stringify(stack);
    fs.writeFileSync(path.join(stacksDir, "Pulumi.local.yaml"), stackFileText);
});

afterAll(async () => {
    if (work !== undefined && fs.existsSync(path.join(work, "demo", "state"))) {
        await demo("--destroy");
    }
    if (work !== undefined) {
        fs.rmSync(work, { recursive: true, force: true });
    }
});

describe.skipIf(requirements.skip)("the demo (the README's main command)", () => {
    it("brings the stack up and shows the host substituting the demo path from the cache", async () => {
        const run = await demo();
        expect(run.code, run.text).toBe(0);
        expect(run.text).toMatch(/Done: pulumi up on stack "local": \d+ created\./);
        expect(run.text).toMatch(/copying path '\/nix\/store\/[a-z0-9]{32}-nix-cache-demo-greeting' from 'http:\/\/127\.0\.0\.1:\d+'/);
        expect(run.text).toContain("Tear down: npm run demo -- --destroy");
    }, 240_000);

    it("run again, the program only reads the host (repairing drift, none here); nothing changes", async () => {
        const run = await demo();
        expect(run.code, run.text).toBe(0);
        expect(run.text).toMatch(/no changes \(\d+ resources unchanged\)/);
        expect(run.text).toMatch(/Nothing to do: the host already had what the stack declares \(1 SSH logins on it during the up\)/);
        expect(run.text).toContain("The host trusted the cache's key and fetched the path from it.");
    }, 240_000);

    it("--destroy gives the host its files back, removes the demo's directory and leaves the stack file as it was", async () => {
        const run = await demo("--destroy");
        expect(run.code, run.text).toBe(0);
        expect(run.text).toContain("The host's nix.conf is back byte for byte");
        expect(fs.existsSync(path.join(work, "demo"))).toBe(false);
        expect(fs.readFileSync(path.join(stacksDir, "Pulumi.local.yaml"), "utf8")).toBe(stackFileText);
        expect((await demo("--destroy")).text).toContain("Nothing to tear down");
    }, 240_000);
});
