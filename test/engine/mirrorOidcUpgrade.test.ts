import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { DELETE_MIRROR_ENV, MirrorDeletionGuard } from "../../components/mirror/deletionGuard";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../../components/mirror/awsNames";
import { FoundOidcProvider, GITHUB_OIDC_URL, oidcProviderChoice, oidcProviderDeclaration } from "../../components/mirror/githubOidcProvider";
import { recordUp } from "../../scripts/localhost/engine/engineRun";
import { EngineStack } from "../../scripts/localhost/engine/engineStack";
import { createDynamicStack, requireDynamicEngine, setProgram } from "./support/dynamicStack";
import { resourceInState, resourcesInState } from "./support/engineState";

// A stack made by the previous release created GitHub's OIDC provider untagged, and its state
// records no retain flag. The real engine (the pinned CLI, no preview) runs that release's
// declaration, then this release's: the provider must be neither changed nor deleted, also when
// the stack stops declaring it afterwards. A dynamic resource stands in for
// `aws.iam.OpenIdConnectProvider` (no AWS provider plugin here), over an account kept in a file:
// one provider per issuer URL (a second create fails as IAM's EntityAlreadyExists does), a new
// URL replaces it (the URL cannot change in place), and every call is logged.

const tools = requireDynamicEngine();
const STACK = "organization/nix-cache/upgraded";
const NAME = "ci-mirror-github-oidc";
const BUCKET = "upgraded-nix-cache";
const ARN = `arn:aws:iam::123456789012:oidc-provider/${GITHUB_OIDC_HOST}`;

interface StandInInputs {
    /** The file holding the account's provider (the provider runs in another process). */
    readonly account: string;
    readonly url: string;
    readonly clientIdLists: string[];
    readonly thumbprintLists?: string[];
    readonly tags?: Record<string, string>;
}

interface AccountProvider {
    readonly clientIdLists: string[];
    readonly thumbprintLists: string[];
    readonly tags: Record<string, string>;
    /** Every call that changed it or would have: create, update, delete. */
    readonly calls: string[];
}

const oidcStandIn: pulumi.dynamic.ResourceProvider<StandInInputs> = {
    async create(inputs) {
        // Required here, in the provider's process: the test's own import is transformed by vitest.
        const files = require("fs") as typeof fs;
        if (files.existsSync(inputs.account) && JSON.parse(files.readFileSync(inputs.account, "utf8")).exists) {
            throw new Error("creating IAM OIDC Provider: EntityAlreadyExists: Provider with url already exists.");
        }
        const calls = files.existsSync(inputs.account) ? JSON.parse(files.readFileSync(inputs.account, "utf8")).calls : [];
        const stored = { exists: true, clientIdLists: inputs.clientIdLists, thumbprintLists: inputs.thumbprintLists ?? [], tags: inputs.tags ?? {}, calls: [...calls, "create"] };
        files.writeFileSync(inputs.account, JSON.stringify(stored));
        return { id: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", outs: { ...inputs } };
    },
    async diff(_id, olds, news) {
        const changed = (["clientIdLists", "thumbprintLists", "tags"] as const).filter((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null));
        const replaces = olds.url === news.url ? [] : ["url"];
        return { changes: changed.length + replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async update(_id, _olds, news) {
        const files = require("fs") as typeof fs;
        const stored = JSON.parse(files.readFileSync(news.account, "utf8"));
        files.writeFileSync(news.account, JSON.stringify({ ...stored, clientIdLists: news.clientIdLists, thumbprintLists: news.thumbprintLists ?? [], tags: news.tags ?? {}, calls: [...stored.calls, "update"] }));
        return { outs: { ...news } };
    },
    async delete(_id, props) {
        const files = require("fs") as typeof fs;
        const stored = JSON.parse(files.readFileSync(props.account, "utf8"));
        files.writeFileSync(props.account, JSON.stringify({ ...stored, exists: false, calls: [...stored.calls, "delete"] }));
    },
};

class OidcProviderStandIn extends pulumi.dynamic.Resource {
    constructor(name: string, args: StandInInputs, opts?: pulumi.CustomResourceOptions) {
        super(oidcStandIn, name, { ...args }, opts, undefined, "OidcProviderStandIn");
    }
}

let engine: EngineStack;
let account: string;
beforeAll(async () => {
    if (tools.skip) {
        return;
    }
    engine = await createDynamicStack("oidc-upgrade");
    account = path.join(engine.root, "account.json");
}, 300_000);
afterAll(async () => {
    await engine?.remove();
});

function inAccount(): (AccountProvider & { exists: boolean }) | undefined {
    return fs.existsSync(account) ? JSON.parse(fs.readFileSync(account, "utf8")) : undefined;
}

/** What the account's lookup by URL reports (undefined when it has none). */
function lookUp(): FoundOidcProvider | undefined {
    const stored = inAccount();
    return stored?.exists ? { arn: ARN, clientIdLists: stored.clientIdLists, thumbprintLists: stored.thumbprintLists, tags: stored.tags } : undefined;
}

/** The previous release's declaration: untagged, no retain flag. */
function previousRelease(): Promise<void> {
    new OidcProviderStandIn(NAME, { account, url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE] });
    return Promise.resolve();
}

/** This release's: the lookup, the choice and the declaration S3Mirror makes from them. */
function thisRelease(): OidcProviderStandIn {
    const { inputs, ...options } = oidcProviderDeclaration(oidcProviderChoice(lookUp(), STACK), STACK);
    return new OidcProviderStandIn(NAME, { account, ...inputs }, options);
}

/** This release's declaration with the mirror's deletion guard over it. */
function guarded(): Promise<void> {
    new MirrorDeletionGuard("guard", { bucket: BUCKET }, { dependsOn: [thisRelease()] });
    return Promise.resolve();
}

describe.skipIf(tools.skip)("upgrading a stack whose OIDC provider the previous release created, in the real engine", () => {
    it("the previous release's program without the provider deletes it: the harm", async () => {
        setProgram(engine, previousRelease);
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
        expect((await resourceInState(engine.stack, NAME))?.retainOnDelete).toBeFalsy();
        // What the code before this change did with an untagged provider: it stopped declaring it.
        setProgram(engine, async () => undefined);
        const dropped = await recordUp(engine.stack, engine.transcript);
        expect(dropped.changed[NAME]).toEqual(["delete"]);
        expect(inAccount()?.exists).toBe(false);
    }, 300_000);

    it("this release keeps it unchanged and records the retain flag; the next up changes nothing", async () => {
        setProgram(engine, previousRelease);
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();
        // Changed outside the stack since: an audience added. The stack must leave it so.
        const before = inAccount()!;
        fs.writeFileSync(account, JSON.stringify({ ...before, clientIdLists: ["sigstore", GITHUB_OIDC_AUDIENCE], thumbprintLists: ["990f4193972f2becf12ddeda5237f9c952f20d9e"] }));

        setProgram(engine, async () => void thisRelease());
        const upgraded = await recordUp(engine.stack, engine.transcript);
        expect(upgraded.error).toBeUndefined();
        expect(upgraded.changed[NAME]).toBeUndefined();
        const kept = await resourceInState(engine.stack, NAME);
        expect(kept?.id).toBe(ARN);
        expect(kept?.retainOnDelete).toBe(true);
        expect(inAccount()).toMatchObject({ exists: true, clientIdLists: ["sigstore", GITHUB_OIDC_AUDIENCE], calls: ["create", "delete", "create"] });

        const again = await recordUp(engine.stack, engine.transcript);
        expect(again.changed).toEqual({});
    }, 300_000);

    it("then the mirror removed: its guard stops it first; once allowed, the provider leaves the state, not the account", async () => {
        // The guard depends on every resource of the mirror, the shared provider too.
        setProgram(engine, guarded);
        expect((await recordUp(engine.stack, engine.transcript)).error).toBeUndefined();

        setProgram(engine, async () => undefined);
        const refused = await recordUp(engine.stack, engine.transcript);
        expect(refused.error?.message).toContain(`refusing to delete the S3 mirror of bucket ${BUCKET}`);
        expect(await resourcesInState(engine.stack)).toContain(NAME);

        (engine.stack.workspace as LocalWorkspace).envVars[DELETE_MIRROR_ENV] = BUCKET;
        const removed = await recordUp(engine.stack, engine.transcript);
        expect(removed.error).toBeUndefined();
        expect(await resourcesInState(engine.stack)).not.toContain(NAME);
        expect(inAccount()).toMatchObject({ exists: true, clientIdLists: ["sigstore", GITHUB_OIDC_AUDIENCE], calls: ["create", "delete", "create"] });
        // Back to OIDC later, the lookup finds it, shared, and the engine imports it by its ID (the
        // stand-in cannot be imported: a dynamic resource is read through its serialized provider,
        // which an import lacks; the import is the AWS provider's).
    }, 300_000);
});
