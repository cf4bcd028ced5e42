import { describe, expect, it, vi } from "vitest";
import { ABSENT_NOTE, noteMessage, OVERWRITE_NOTE, REPLACE_NOTE } from "../../components/github/fileOwnership";
import { ATPROTO_GITHUB, githubModel } from "../support/githubModels";
import { allRegistered, MockedFile, recordGithub, RegisteredResource } from "../support/githubMocks";
import { githubCiArgsOf } from "../support/componentArgs";

/**
 * Owning the workflow file without a refresh: each run reads the file first (mocked GitHub
 * below) and declares the file resource from what it finds. Between two runs, the engine
 * replaces the resource (every change is a create, `replaceOnChanges: ["*"]`) exactly when its
 * inputs differ, and leaves it alone when they are equal.
 */

const FILE_TYPE = "github:index/repositoryFile:RepositoryFile";
const KEY = "nur:main:.github/workflows/build.yml";
const OUTSIDE_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";
const STACK_COMMIT = "00112233445566778899aabbccddeeff00112233";
const MESSAGE = "ci: update Nix cache workflow (managed by nix-cache)";

let runs = 0;
/** One run of a stack with a `github` section against a mocked GitHub holding `files`. */
async function run(files: Record<string, MockedFile>, github: Record<string, unknown> = ATPROTO_GITHUB, branchHeads: Record<string, string> = {}, preview = false) {
    runs += 1;
    const recording = await recordGithub(`ownership-${runs}`, { files, branchHeads, preview });
    const pulumi = await import("@pulumi/pulumi");
    const { GithubCi } = await import("../../components/github/githubCi");
    const ci = new GithubCi("ci", githubCiArgsOf(githubModel(github), { authToken: pulumi.secret("token") }));
    await allRegistered([...ci.secretResources, ...ci.files]);
    await vi.waitFor(() => expect(recording.resources.filter((r) => r.type === FILE_TYPE)).toHaveLength(1));
    return { file: recording.resources.find((r) => r.type === FILE_TYPE)!, recording };
}

/** The file as GitHub holds it after the stack's create of `file` wrote it. */
function written(file: RegisteredResource, commitSha = STACK_COMMIT): MockedFile {
    return { content: String(file.inputs.content), commitSha, commitMessage: String(file.inputs.commitMessage) };
}

/** The input keys that differ between two runs' registrations of the file. */
function changedKeys(before: RegisteredResource, after: RegisteredResource): string[] {
    const keys = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
    return [...keys].filter((k) => JSON.stringify(before.inputs[k]) !== JSON.stringify(after.inputs[k])).sort();
}

describe("the workflow file under mocks: read before writing, every write a create", () => {
    it("is declared so that any change is a create (which reads the current SHA) and a replaced instance is forgotten first, not deleted", async () => {
        const { file, recording } = await run({});
        expect(file.options).toMatchObject({ replaceOnChanges: ["*"], retainOnDelete: true, deleteBeforeReplace: true, deletedWith: "" });
        expect(file.inputs.overwriteOnCreate).toBe(true);
        // Read on the branch it is committed to with two requests, however long the file's history:
        // its contents and the one commit that last changed it (never `getRepositoryFile`, which pages it all).
        const read = recording.calls.filter((c) => c.token === "github:index/getRestApi:getRestApi");
        expect(read.map((c) => c.inputs)).toEqual([
            { endpoint: "repos/atproto-nix/nur/contents/.github/workflows/build.yml?ref=main" },
            { endpoint: "repos/atproto-nix/nur/commits?sha=main&path=.github%2Fworkflows%2Fbuild.yml&per_page=1" },
        ]);
        expect(recording.calls.map((c) => c.token)).not.toContain("github:index/getRepositoryFile:getRepositoryFile");
    });

    it("in sync: a second run after a clean one declares the same inputs (no change)", async () => {
        const first = (await run({})).file;
        const second = (await run({ [KEY]: written(first) })).file;
        expect(changedKeys(first, second)).toEqual([]);
        const third = (await run({ [KEY]: written(second) })).file;
        expect(changedKeys(second, third)).toEqual([]);
    });

    it("drift: an outside commit (a bot's bump) makes a replacement that writes over it, and the run after that changes nothing", async () => {
        const clean = (await run({})).file;
        const bumped = { content: String(clean.inputs.content).replace(/actions\/checkout@\S+/, "actions/checkout@v8"), commitSha: OUTSIDE_COMMIT, commitMessage: "Bump actions/checkout from 7 to 8" };
        expect(bumped.content).not.toBe(clean.inputs.content);
        const fix = (await run({ [KEY]: bumped })).file;
        // Same text to write, a message naming the bump: a diff, so the engine replaces (creates) the file.
        expect(changedKeys(clean, fix)).toEqual(["commitMessage"]);
        expect(fix.inputs.content).toBe(clean.inputs.content);
        expect(fix.inputs.commitMessage).toBe(noteMessage(MESSAGE, OVERWRITE_NOTE, OUTSIDE_COMMIT));
        const after = (await run({ [KEY]: written(fix) })).file;
        expect(changedKeys(fix, after)).toEqual([]);
        // The same bump again later is seen again (its commit is another one).
        const again = (await run({ [KEY]: { ...bumped, commitSha: "99112233445566778899aabbccddeeff00112233" } })).file;
        expect(changedKeys(after, again)).toEqual(["commitMessage"]);
    });

    it("a hand edit and a configuration change at once: one create with the new text, never an update with a stale SHA", async () => {
        const clean = (await run({})).file;
        const edited = { content: `${String(clean.inputs.content)}# a hand edit\n`, commitSha: OUTSIDE_COMMIT, commitMessage: "tweak" };
        const next = (await run({ [KEY]: edited }, { ...ATPROTO_GITHUB, workflow: { schedule: "17 4 * * *" } })).file;
        expect(changedKeys(clean, next)).toEqual(["commitMessage", "content"]);
        expect(next.inputs.content).toContain("17 4 * * *");
        expect(next.options.replaceOnChanges).toEqual(["*"]);
    });

    it("a configuration change with the stack's commit on top: the new text, the message naming the commit it replaces", async () => {
        const clean = (await run({})).file;
        const inSync = (await run({ [KEY]: written(clean) })).file;
        const next = (await run({ [KEY]: written(inSync) }, { ...ATPROTO_GITHUB, workflow: { schedule: false } })).file;
        expect(changedKeys(inSync, next)).toEqual(["commitMessage", "content"]);
        expect(changedKeys(inSync, next)).toContain("content");
        expect(next.inputs.commitMessage).toBe(noteMessage(MESSAGE, REPLACE_NOTE, STACK_COMMIT));
        const after = (await run({ [KEY]: written(next, "99112233445566778899aabbccddeeff00112233") }, { ...ATPROTO_GITHUB, workflow: { schedule: false } })).file;
        expect(changedKeys(next, after)).toEqual([]);
    });

    it("a deleted file is written again: its message names the branch's head, which the deleting commit moved", async () => {
        const clean = (await run({})).file;
        const inSync = (await run({ [KEY]: written(clean) })).file;
        const gone = (await run({}, ATPROTO_GITHUB, { "nur:main": OUTSIDE_COMMIT })).file;
        expect(changedKeys(inSync, gone)).toEqual(["commitMessage"]);
        expect(gone.inputs.commitMessage).toBe(noteMessage(MESSAGE, ABSENT_NOTE, OUTSIDE_COMMIT));
        const after = (await run({ [KEY]: written(gone) })).file;
        expect(changedKeys(gone, after)).toEqual([]);
    });
});

describe("the workflow file under mocks, preview", () => {
    it("a preview with no GitHub token reads the file as an up does and declares the same inputs, so it shows what up will do", async () => {
        const clean = (await run({})).file;
        const bumped = { content: `${String(clean.inputs.content)}# bumped\n`, commitSha: OUTSIDE_COMMIT, commitMessage: "bump" };
        const { file: previewed, recording } = await run({ [KEY]: bumped }, ATPROTO_GITHUB, {}, true);
        const applied = (await run({ [KEY]: bumped })).file;
        expect(changedKeys(previewed, applied)).toEqual([]);
        expect(changedKeys(clean, previewed)).toEqual(["commitMessage"]);
        // The provider gets no token (none configured): the reads go out as they did before, anonymously.
        const [provider] = recording.resources.filter((r) => r.type === "pulumi:providers:github");
        expect(provider.inputs.token).toBeUndefined();
    });
});

describe("the workflow file under mocks, pull-request delivery", () => {
    it("the file on the stack's branch is written only by a create and forgotten, never deleted; the target's file decides whether one is due", async () => {
        runs += 1;
        const recording = await recordGithub(`ownership-pr-${runs}`, {});
        const pulumi = await import("@pulumi/pulumi");
        const { GithubCi } = await import("../../components/github/githubCi");
        const ci = new GithubCi("ci", githubCiArgsOf(githubModel({ ...ATPROTO_GITHUB, workflow: { delivery: "pullRequest" } }), { authToken: pulumi.secret("token") }));
        await allRegistered(ci.secretResources);
        await vi.waitFor(() => expect(recording.resources.filter((r) => r.type === "github:index/repositoryPullRequest:RepositoryPullRequest")).toHaveLength(1));
        const file = recording.resources.find((r) => r.type === FILE_TYPE)!;
        expect(file.options).toMatchObject({ replaceOnChanges: ["*"], retainOnDelete: true, deletedWith: "" });
        expect(file.inputs.commitMessage).toBe(MESSAGE);
        // The target branch's file is read (its contents, one request); the stack's branch is not.
        const read = recording.calls.filter((c) => c.token === "github:index/getRestApi:getRestApi").map((c) => String(c.inputs.endpoint));
        expect(read).toEqual(["repos/atproto-nix/nur/contents/.github/workflows/build.yml?ref=main"]);
    });
});

describe("the workflow file under mocks, requests per run", () => {
    const DEFAULT_BRANCH = { ...ATPROTO_GITHUB, repositories: [{ name: "nur" }] };
    /** The invokes a run sent to GitHub, as `token endpoint-or-name`. */
    function asked(recording: Awaited<ReturnType<typeof run>>["recording"]): string[] {
        return recording.calls.map((c) => `${c.token.split(":").pop()} ${String(c.inputs.endpoint ?? c.inputs.fullName ?? c.inputs.branch ?? "")}`);
    }

    it("no branch set, file in sync: two requests, both without a ref (GitHub answers for the default branch and names it)", async () => {
        const clean = (await run({}, DEFAULT_BRANCH)).file;
        const { file: inSync, recording } = await run({ [KEY]: written(clean) }, DEFAULT_BRANCH);
        expect(changedKeys(clean, inSync)).toEqual([]);
        expect(inSync.inputs.branch).toBe("main");
        expect(asked(recording)).toEqual([
            "getRestApi repos/atproto-nix/nur/contents/.github/workflows/build.yml",
            "getRestApi repos/atproto-nix/nur/commits?path=.github%2Fworkflows%2Fbuild.yml&per_page=1",
        ]);
    });

    it("no branch set, file absent: the repository is asked for its default branch, then the branch for its head", async () => {
        const { recording } = await run({}, DEFAULT_BRANCH);
        expect(asked(recording)).toEqual([
            "getRestApi repos/atproto-nix/nur/contents/.github/workflows/build.yml",
            "getRestApi repos/atproto-nix/nur/commits?path=.github%2Fworkflows%2Fbuild.yml&per_page=1",
            "getRepository atproto-nix/nur",
            "getBranch main",
        ]);
    });

    it("a branch set: read there; the repository is asked only when a schedule or manual runs need the default branch for a warning", async () => {
        const quiet = { ...ATPROTO_GITHUB, workflow: { schedule: false, workflowDispatch: false } };
        const clean = (await run({}, quiet)).file;
        const { recording } = await run({ [KEY]: written(clean) }, quiet);
        expect(asked(recording)).toEqual([
            "getRestApi repos/atproto-nix/nur/contents/.github/workflows/build.yml?ref=main",
            "getRestApi repos/atproto-nix/nur/commits?sha=main&path=.github%2Fworkflows%2Fbuild.yml&per_page=1",
        ]);
        const scheduled = (await run({ [KEY]: written(clean) })).recording;
        expect(asked(scheduled)).toContain("getRepository atproto-nix/nur");
        expect(asked(scheduled)).toHaveLength(3);
    });
});
