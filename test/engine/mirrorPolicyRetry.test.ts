import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyRetryHook } from "../../components/mirror/policyRetryHook";
import { recordUp } from "../../scripts/localhost/engine/engineRun";
import { EngineStack } from "../../scripts/localhost/engine/engineStack";
import { createDynamicStack, requireDynamicEngine, setProgram } from "./support/dynamicStack";

// The public bucket policy's retry, through the real engine: the engine calls the mirror's
// `onError` hook when a create fails and creates again while it answers true. A dynamic
// resource stands in for `aws.s3.BucketPolicy` (no AWS provider plugin here), failing its first
// creates with the AWS provider's own words for S3's refusal.

const tools = requireDynamicEngine();
const REFUSAL = "putting S3 Bucket (guarded-nix-cache) Policy: operation error S3: PutBucketPolicy, https response error StatusCode: 403, RequestID: X, HostID: Y, api error AccessDenied: Access Denied";

interface FlakyInputs {
    /** A file counting the attempts (the provider runs in another process). */
    readonly counter: string;
    /** How many creates fail before one succeeds. */
    readonly failures: number;
    /** What each failure says. */
    readonly message: string;
}

const flakyPolicy: pulumi.dynamic.ResourceProvider<FlakyInputs> = {
    async create(inputs) {
        // Required here, in the provider's process: the test's own import is transformed by vitest.
        const files = require("fs") as typeof fs;
        const attempts = (files.existsSync(inputs.counter) ? Number(files.readFileSync(inputs.counter, "utf8")) : 0) + 1;
        files.writeFileSync(inputs.counter, String(attempts));
        if (attempts <= inputs.failures) {
            throw new Error(inputs.message);
        }
        return { id: "policy", outs: { ...inputs } };
    },
};

class FlakyPolicy extends pulumi.dynamic.Resource {
    constructor(name: string, args: FlakyInputs, opts?: pulumi.CustomResourceOptions) {
        super(flakyPolicy, name, { ...args }, opts, undefined, "FlakyPolicy");
    }
}

let engine: EngineStack;
beforeAll(async () => {
    if (tools.skip) {
        return;
    }
    engine = await createDynamicStack("policy-retry");
}, 300_000);
afterAll(async () => {
    await engine?.remove();
});

/** Runs `up` with one flaky policy under the mirror's hook (1 s waits), from a fresh state; the attempts made and the run. */
async function upWith(name: string, failures: number, message: string) {
    const counter = path.join(engine.root, `${name}.attempts`);
    setProgram(engine, async () => {
        new FlakyPolicy(name, { counter, failures, message }, { hooks: { onError: [policyRetryHook(name, "guarded-nix-cache", [1, 1])] } });
    });
    const run = await recordUp(engine.stack, engine.transcript);
    if (!fs.existsSync(counter)) {
        throw new Error(`no attempt was made: ${run.error?.message ?? ""}`);
    }
    return { run, attempts: Number(fs.readFileSync(counter, "utf8")) };
}

describe.skipIf(tools.skip)("the public bucket policy's retry in the real engine", () => {
    it("S3's refusal while the access block takes effect is retried until the policy is put", async () => {
        const { run, attempts } = await upWith("settles", 2, REFUSAL);
        expect(run.error).toBeUndefined();
        expect(attempts).toBe(3);
    }, 300_000);

    it("gives up after its waits, saying why; another failure is not retried", async () => {
        const stuck = await upWith("stuck", 10, REFUSAL);
        expect(stuck.attempts).toBe(3);
        // The engine reports the hook's reason as the create's error.
        expect(stuck.run.error?.message).toContain('error hook "stuck-policy-retry" failed: S3 still refuses the public bucket policy of guarded-nix-cache after 2 retries over 2s');
        expect(stuck.run.failed).toEqual(["stuck"]);

        const other = await upWith("other", 10, "putting S3 Bucket (guarded-nix-cache) Policy: operation error S3: PutBucketPolicy, api error MalformedPolicy: Invalid principal");
        expect(other.attempts).toBe(1);
        expect(other.run.error?.message).toContain("MalformedPolicy");
    }, 300_000);
});
