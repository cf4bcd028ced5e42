import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderWorkflow } from "../../components/github/workflow";
import { generateNixSigningKey } from "../../components/formats/signingKey";
import { UPSTREAM_KEY_NAME } from "../../components/mirror/upstreamPaths";
import { mirrorPushUrl } from "../../components/formats/s3Urls";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { IsolatedNix, isolatedNix } from "../support/nixStorePaths";
import { requireTools } from "../support/tools";

const tools = requireTools(["nix", "nix-build", "nix-store", "bash", "jq"], "install Debian's nix-bin and jq (bash scripts/system-deps.sh)");

/**
 * The workflow's copy step, run as GitHub runs it (bash -eo pipefail) with real Nix and jq,
 * into a local binary cache standing for the bucket (Nix's file store has the S3 store's
 * layout). A path carrying a signature of cache.nixos.org's key name stands for one
 * substituted from there: this machine has no network.
 */
describe.skipIf(tools.skip)("the mirror copy step with real Nix", () => {
    let nix: IsolatedNix;
    const mirrorKey = generateNixSigningKey("atproto-mirror-1");

    beforeAll(() => {
        nix = isolatedNix();
    });
    afterAll(() => nix?.cleanup());

    function runCopy(mirror: Record<string, unknown>, outputs: string[], extra: Record<string, unknown> = {}) {
        const model = githubModel(ATPROTO_GITHUB, { ...extra, mirror: { bucket: "atproto-nix-cache", ...mirror } });
        const step = parse(renderWorkflow(model, model.github.repositories[0])).jobs.build.steps.find((s: { name: string }) => s.name === "Copy build outputs to the mirror");
        const runnerTemp = fs.mkdtempSync(path.join(nix.dir, "runner-"));
        const cacheDir = fs.mkdtempSync(path.join(nix.dir, "bucket-"));
        fs.writeFileSync(path.join(runnerTemp, "nix-cache-outputs"), `${outputs.join("\n")}\n`);
        const params = mirrorPushUrl(model.mirror!).split("?")[1];
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
            encoding: "utf8",
            env: { ...nix.env, RUNNER_TEMP: runnerTemp, ...step.env, MIRROR_STORE: `file://${cacheDir}?${params}`, MIRROR_SIGNING_KEY: mirrorKey.secretKey },
        });
        const narinfos = fs.readdirSync(cacheDir).filter((f) => f.endsWith(".narinfo"));
        return { result, narinfos, cacheDir };
    }
    const narinfoOf = (storePath: string) => `${path.basename(storePath).slice(0, 32)}.narinfo`;

    it("copies what cache.nixos.org does not serve, signed with the mirror key, and skips what it does", () => {
        const upstream = nix.buildTinyPath("copy-upstream");
        const own = nix.buildTinyPath("copy-own");
        const upstreamKey = path.join(nix.dir, "upstream.sec");
        fs.writeFileSync(upstreamKey, generateNixSigningKey(UPSTREAM_KEY_NAME).secretKey, { mode: 0o600 });
        nix.run("nix", ["store", "sign", "--key-file", upstreamKey, upstream]);
        const { result, narinfos, cacheDir } = runCopy({}, [upstream, own]);
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain("copying 1 paths that cache.nixos.org does not serve");
        expect(narinfos).toEqual([narinfoOf(own)]);
        expect(fs.readFileSync(path.join(cacheDir, narinfoOf(own)), "utf8")).toMatch(/^Sig: atproto-mirror-1:/m);
        expect(result.stdout + result.stderr).not.toContain(mirrorKey.secretKey.split(":")[1]);
    });

    it("copies everything when hosts do not trust cache.nixos.org", () => {
        const a = nix.buildTinyPath("copy-all-a");
        const upstreamKey = path.join(nix.dir, "upstream.sec");
        nix.run("nix", ["store", "sign", "--key-file", upstreamKey, a]);
        const { result, narinfos } = runCopy({}, [a], { useCacheNixosOrg: false });
        expect(result.status, result.stderr).toBe(0);
        expect(narinfos).toEqual([narinfoOf(a)]);
    });

    it("a failing copy fails the step with an error annotation", () => {
        const { result } = runCopy({}, ["/nix/store/00000000000000000000000000000000-missing"]);
        expect(result.status).not.toBe(0);
        expect(result.stdout).toContain("::error");
    });
});
