import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { DELETE_MIRROR_ENV, MirrorDeletionGuard } from "../../components/mirror/deletionGuard";
import { NixSigningKey } from "../../components/mirror/signingKeyResource";
import { recordDestroy, recordUp } from "../../scripts/localhost/engine/engineRun";
import { EngineStack } from "../../scripts/localhost/engine/engineStack";
import { createDynamicStack, requireDynamicEngine, setProgram as setStackProgram } from "./support/dynamicStack";
import { resourcesInState } from "./support/engineState";

// The real Pulumi engine (the pinned CLI, through the Automation API, which runs `up` and
// `destroy` without a preview) deletes the mirror's guard before the resources it depends on,
// and stops when the guard refuses. The mirror's AWS resources cannot run here (no AWS
// provider plugin), so dynamic resources of the project stand in for them: the ordering is the
// engine's, whatever the resources' provider.

const tools = requireDynamicEngine();
const BUCKET = "guarded-nix-cache";
const MEMBERS = ["member-bucket", "member-policy", "member-key"];

/** A mirror-like set: a chain of members (as a policy depends on its bucket) and the guard over all of them. */
function mirrorProgram(): Promise<void> {
    const bucket = new NixSigningKey("member-bucket", { keyName: "bucket-1" });
    const policy = new NixSigningKey("member-policy", { keyName: "policy-1" }, { dependsOn: [bucket] });
    const key = new NixSigningKey("member-key", { keyName: "key-1" });
    new MirrorDeletionGuard("guard", { bucket: BUCKET }, { dependsOn: [bucket, policy, key] });
    return Promise.resolve();
}

let engine: EngineStack;
beforeAll(async () => {
    if (tools.skip) {
        return;
    }
    engine = await createDynamicStack("guard");
}, 300_000);
afterAll(async () => {
    await engine?.remove();
});

function setProgram(program: () => Promise<void>): void {
    setStackProgram(engine, program);
}

describe.skipIf(tools.skip)("the mirror's deletion guard in the real engine", () => {
    it("removing the mirror from the program (up without preview) deletes nothing, and says how to allow it", async () => {
        setProgram(mirrorProgram);
        const first = await recordUp(engine.stack, engine.transcript);
        expect(first.error).toBeUndefined();
        expect(await resourcesInState(engine.stack)).toEqual(expect.arrayContaining([...MEMBERS, "guard"]));

        setProgram(async () => {
            pulumi.log.info("the mirror is gone from the program");
        });
        const removed = await recordUp(engine.stack, engine.transcript);
        expect(removed.error?.message).toContain(`refusing to delete the S3 mirror of bucket ${BUCKET}`);
        expect(removed.error?.message).toContain(`${DELETE_MIRROR_ENV}=${BUCKET}`);
        expect(removed.failed).toEqual(["guard"]);
        expect(await resourcesInState(engine.stack)).toEqual(expect.arrayContaining([...MEMBERS, "guard"]));
    }, 300_000);

    it("destroy stops at the guard too; with the bucket named in the environment everything goes, dependents first", async () => {
        const refused = await recordDestroy(engine.stack, engine.transcript);
        expect(refused.error?.message).toContain(`refusing to delete the S3 mirror of bucket ${BUCKET}`);
        expect(await resourcesInState(engine.stack)).toEqual(expect.arrayContaining([...MEMBERS, "guard"]));

        const workspace = engine.stack.workspace as LocalWorkspace;
        workspace.envVars[DELETE_MIRROR_ENV] = "another-bucket";
        expect((await recordDestroy(engine.stack, engine.transcript)).error?.message).toContain("refusing to delete");

        workspace.envVars[DELETE_MIRROR_ENV] = BUCKET;
        const allowed = await recordDestroy(engine.stack, engine.transcript);
        expect(allowed.error).toBeUndefined();
        expect((await resourcesInState(engine.stack)).filter((name) => [...MEMBERS, "guard"].includes(name))).toEqual([]);
    }, 300_000);

    it("without the guard, protecting the bucket alone does not stop the others: an up without preview deletes them first", async () => {
        setProgram(async () => {
            const bucket = new NixSigningKey("member-bucket", { keyName: "bucket-1" }, { protect: true });
            new NixSigningKey("member-policy", { keyName: "policy-1" }, { dependsOn: [bucket] });
            new NixSigningKey("member-key", { keyName: "key-1" });
        });
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
        setProgram(async () => undefined);
        const removed = await recordUp(engine.stack, engine.transcript);
        expect(removed.error?.message).toMatch(/protect/);
        expect((await resourcesInState(engine.stack)).filter((name) => MEMBERS.includes(name))).toEqual(["member-bucket"]);
    }, 300_000);
});
