import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderWorkflow } from "../../components/github/workflow";
import { mirrorKeySlots } from "../../components/mirror/keyRotation";
import { mirrorTrustedCache } from "../../components/mirror/mirrorCache";
import { generateNixSigningKey, NixSigningKeyPair } from "../../components/formats/signingKey";
import { mirrorPushUrl } from "../../components/formats/s3Urls";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { IsolatedNix, isolatedNix } from "../support/nixStorePaths";
import { requireTools } from "../support/tools";

const tools = requireTools(["nix", "nix-build", "nix-store", "bash"], "install Debian's nix-bin (bash scripts/system-deps.sh)");

const BUCKET = "atproto-nix-cache";
const OLD = "atproto-mirror-1";
const NEW = "atproto-mirror-2";

/**
 * A key rotation of the mirror with real Nix, the bucket being a local binary cache: Nix's
 * file store has the same layout as its S3 store and the same narinfo rewrite for
 * `nix store sign --store`. The re-sign step's script runs as the workflow renders it; only
 * the AWS CLI is a stand-in, listing and reading that directory as `aws s3api
 * list-objects-v2 --output text` and `aws s3 cp … -` print a bucket.
 */
describe.skipIf(tools.skip)("a mirror key rotation keeps every path substitutable (real Nix)", () => {
    let nix: IsolatedNix;
    let cacheDir: string;
    const keys: Record<string, NixSigningKeyPair> = { [OLD]: generateNixSigningKey(OLD), [NEW]: generateNixSigningKey(NEW) };
    let before: string;
    let during: string;

    const mirrorModel = (mirror: Record<string, unknown>) => githubModel(ATPROTO_GITHUB, { mirror: { bucket: BUCKET, ...mirror } });
    /** What hosts trust for a stack's mirror: the keys `S3Mirror` lists, by name. */
    const trustedKeys = (mirror: Record<string, unknown>) => {
        const spec = mirrorModel(mirror).mirror!;
        return mirrorTrustedCache(spec, mirrorKeySlots(spec).map((slot) => keys[slot.keyName].publicKey)).publicKeys;
    };
    const keyFile = (name: string) => {
        const file = path.join(nix.dir, `${name}.sec`);
        fs.writeFileSync(file, keys[name].secretKey, { mode: 0o600 });
        return file;
    };
    /** CI's copy: the push URL's parameters, signed with the stack's current key. */
    const push = (storePath: string, mirror: Record<string, unknown>) => {
        const spec = mirrorModel(mirror).mirror!;
        const params = mirrorPushUrl(spec, { secretKeyFile: keyFile(spec.keyName) }).split("?")[1];
        nix.run("nix", ["copy", "--to", `file://${cacheDir}?${params}`, storePath]);
    };
    /** Deletes the path locally and substitutes it from the mirror trusting `trusted`; true when it came back. */
    const substitutes = (storePath: string, trusted: readonly string[]) => {
        nix.run("nix-store", ["--delete", storePath]);
        try {
            nix.run("nix-store", ["-r", storePath, "--option", "substituters", `file://${cacheDir}`, "--option", "trusted-public-keys", trusted.join(" ")]);
            return true;
        } catch {
            return false;
        }
    };
    const signers = (storePath: string) => {
        const narinfo = fs.readFileSync(path.join(cacheDir, `${path.basename(storePath).slice(0, 32)}.narinfo`), "utf8");
        return [...narinfo.matchAll(/^Sig: ([^:]+):/gm)].map((m) => m[1]).sort();
    };

    beforeAll(() => {
        nix = isolatedNix();
        cacheDir = path.join(nix.dir, "bucket");
        before = nix.buildTinyPath("rotation-before");
        push(before, { keyName: OLD });
    }, 120_000);
    afterAll(() => nix?.cleanup());

    it("before: hosts trust the old key, and the old path substitutes", () => {
        expect(trustedKeys({ keyName: OLD })).toEqual([keys[OLD].publicKey]);
        expect(substitutes(before, trustedKeys({ keyName: OLD }))).toBe(true);
    });

    it("during: hosts trust both keys; old and new paths substitute; the old key cannot be dropped yet", () => {
        const rotating = { keyName: NEW, previousKeyName: OLD };
        expect(trustedKeys(rotating)).toEqual([keys[NEW].publicKey, keys[OLD].publicKey]);
        during = nix.buildTinyPath("rotation-during");
        push(during, rotating);
        push(before, rotating); // nix copy skips a path already there: it keeps only the old signature
        expect(signers(before)).toEqual([OLD]);
        expect(substitutes(before, trustedKeys(rotating))).toBe(true);
        expect(substitutes(during, trustedKeys(rotating))).toBe(true);
        // Why the re-sign is needed: with only the new key trusted, the old path is refused.
        expect(substitutes(before, trustedKeys({ keyName: NEW }))).toBe(false);
    });

    it("the workflow's re-sign step signs every path in the bucket with the new key; then dropping the old key keeps all substitutable", () => {
        const rotating = { keyName: NEW, previousKeyName: OLD };
        const model = mirrorModel(rotating);
        const job = parse(renderWorkflow(model, model.github.repositories[0])).jobs.build;
        const step = job.steps.find((s: { name: string }) => s.name === "Re-sign the mirror with the current key");
        expect(step.env).toMatchObject({ MIRROR_BUCKET: BUCKET, MIRROR_STORE: mirrorPushUrl(model.mirror!) });
        expect(step.run).toContain('nix store sign --store "$MIRROR_STORE" --key-file "$key_file"');
        const runnerTemp = fs.mkdtempSync(path.join(nix.dir, "runner-"));
        const script = path.join(runnerTemp, "step.sh");
        fs.writeFileSync(script, step.run);
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
            encoding: "utf8",
            env: {
                ...nix.env,
                PATH: `${awsStandIn(nix.dir, cacheDir)}:${nix.env.PATH}`,
                RUNNER_TEMP: runnerTemp,
                // The step's own env, with the bucket's store as this test has it.
                ...step.env,
                MIRROR_STORE: `file://${cacheDir}`,
                MIRROR_SIGNING_KEY: keys[NEW].secretKey,
            },
        });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain("re-signed 2 paths");
        expect(result.stdout + result.stderr).not.toContain(keys[NEW].secretKey.split(":")[1]);
        expect(fs.readdirSync(runnerTemp)).toEqual(["step.sh"]); // the key file is gone
        expect(signers(before)).toEqual([OLD, NEW].sort());
        expect(signers(during)).toEqual([NEW]);
        // Rotation over: previousKeyName removed, hosts trust only the new key.
        expect(trustedKeys({ keyName: NEW })).toEqual([keys[NEW].publicKey]);
        expect(substitutes(before, trustedKeys({ keyName: NEW }))).toBe(true);
        expect(substitutes(during, trustedKeys({ keyName: NEW }))).toBe(true);
    });

    it("a failing re-sign fails the step with an error annotation", () => {
        const model = mirrorModel({ keyName: NEW, previousKeyName: OLD });
        const step = parse(renderWorkflow(model, model.github.repositories[0])).jobs.build.steps.find((s: { name: string }) => s.name.startsWith("Re-sign"));
        const runnerTemp = fs.mkdtempSync(path.join(nix.dir, "runner-"));
        const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
            encoding: "utf8",
            env: { ...nix.env, PATH: `${awsStandIn(nix.dir, path.join(nix.dir, "no-such-bucket"))}:${nix.env.PATH}`, RUNNER_TEMP: runnerTemp, ...step.env, MIRROR_SIGNING_KEY: keys[NEW].secretKey },
        });
        expect(result.status).not.toBe(0);
        expect(result.stdout).toContain("::error title=S3 mirror re-sign failed::");
    });
});

/** A directory with an `aws` stand-in serving `bucketDir` for the two calls the step makes; fails like the CLI for a missing bucket. */
function awsStandIn(dir: string, bucketDir: string): string {
    const bin = path.join(dir, "aws-bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
        path.join(bin, "aws"),
        [
            "#!/bin/bash",
            "set -eo pipefail",
            `root=${JSON.stringify(bucketDir)}`,
            '[ -d "$root" ] || { echo "An error occurred (NoSuchBucket)" >&2; exit 254; }',
            'case "$1 $2" in',
            '  "s3api list-objects-v2") (cd "$root" && find . -type f | sed "s|^\\./||" | sort | paste -sd "\\t") ;;',
            '  "s3 cp") for a in "$@"; do case "$a" in s3://*) key="${a#s3://*/}" ;; esac; done; cat "$root/$key" ;;',
            '  *) echo "unexpected aws call: $*" >&2; exit 2 ;;',
            "esac",
            "",
        ].join("\n"),
        { mode: 0o755 },
    );
    return bin;
}
