import * as pulumi from "@pulumi/pulumi";
import { GithubRepositorySpec, WorkflowSpec } from "../config/model";
import { RemoteWorkflowFile } from "./fileOwnership";
import { repositoryAnswer } from "./repositoryLookup";
import { github } from "./githubPackage";

/**
 * Reads the managed file as GitHub has it, whatever the file's history, with at most two
 * requests when it is in place: its contents, and (for a directly committed file) the one commit
 * that last changed it. (The provider's `getRepositoryFile` pages through every commit that ever
 * touched the path, so each run cost more with every write the stack had made.)
 *
 * Without a configured `branch` both are asked without a ref: GitHub answers for the default
 * branch, and names it in the contents' `url` (`…/contents/PATH?ref=BRANCH`), so the repository
 * itself is asked only when the file is not there.
 */

/** The REST endpoints (relative to the API root, as `getRestApi` takes them) of the two reads; no `branch`: the default branch. */
export function remoteFileEndpoints(owner: string, repository: string, branch: string | undefined, path: string): { contents: string; lastCommit: string } {
    const repo = `repos/${encodeURIComponent(owner)}/${encodeURIComponent(repository)}`;
    const file = path.split("/").map(encodeURIComponent).join("/");
    const ref = branch === undefined ? undefined : encodeURIComponent(branch);
    return {
        contents: `${repo}/contents/${file}${ref === undefined ? "" : `?ref=${ref}`}`,
        lastCommit: `${repo}/commits?${ref === undefined ? "" : `sha=${ref}&`}path=${encodeURIComponent(path)}&per_page=1`,
    };
}

/** One `getRestApi` answer: the status code and the body as text. */
export interface RestAnswer {
    readonly code: number;
    readonly body: string;
}

/** The file's text and the branch GitHub read it from (`undefined` when its `url` names none). */
export interface ContentsAnswer {
    readonly content: string;
    readonly ref: string | undefined;
}

/**
 * The file from the contents answer, or `undefined` when it is not on the branch (404, or a
 * directory there). Any other status but 200 is an error (here and for the last commit):
 * deciding on a guess could write over the file or leave it stale.
 */
export function parseContents(endpoint: string, contents: RestAnswer): ContentsAnswer | undefined {
    if (contents.code === 404) {
        return undefined;
    }
    checked(endpoint, contents);
    const file = JSON.parse(contents.body) as { type?: string; content?: string; encoding?: string; url?: string } | unknown[];
    if (Array.isArray(file) || file.type !== "file") {
        return undefined;
    }
    const content = file.encoding === "base64" ? Buffer.from(file.content ?? "", "base64").toString("utf8") : (file.content ?? "");
    return { content, ref: contentsRef(file.url) };
}

/** The `ref` query parameter of a contents `url`, which names the branch the answer is for. */
export function contentsRef(url: string | undefined): string | undefined {
    if (url === undefined) {
        return undefined;
    }
    try {
        return new URL(url).searchParams.get("ref") ?? undefined;
    } catch {
        return undefined;
    }
}

/** The last commit from a `commits?path=…&per_page=1` answer (none: the path has no commit). */
export function parseLastCommit(endpoint: string, lastCommit: RestAnswer): { sha: string; message: string } {
    checked(endpoint, lastCommit);
    const [commit] = JSON.parse(lastCommit.body) as { sha?: string; commit?: { message?: string } }[];
    return { sha: commit?.sha ?? "", message: commit?.commit?.message ?? "" };
}

function checked(endpoint: string, answer: RestAnswer): void {
    if (answer.code !== 200) {
        throw new Error(`GitHub answered ${answer.code} to GET ${endpoint}`);
    }
}

/** What one run learns about the workflow's place: the branch, the file there, and the default branch when it was asked. */
export interface WorkflowTarget {
    /** The branch the workflow is committed to (or proposed into). */
    readonly branch: string;
    /** The repository's default branch, when known without a further request or needed for a warning. */
    readonly defaultBranch?: string;
    /** The file on `branch` (`undefined`: not there); the commit fields are "" unless the last commit was read. */
    readonly file?: RemoteWorkflowFile;
}

/**
 * Whether the repository's default branch must be asked for although a `branch` is configured:
 * only to warn that `schedule` and manual runs do not run from another branch.
 */
export function defaultBranchNeeded(repo: GithubRepositorySpec, workflow: WorkflowSpec): boolean {
    return repo.branch !== undefined && (workflow.schedule !== undefined || workflow.workflowDispatch);
}

/**
 * Reads the workflow file where it is delivered (the configured branch, else the default one),
 * with its last commit when `withLastCommit` (a directly committed file; see the module's comment).
 */
export async function readWorkflowTarget(
    owner: string,
    repo: GithubRepositorySpec,
    workflow: WorkflowSpec,
    withLastCommit: boolean,
    opts: { parent?: pulumi.Resource; provider?: pulumi.ProviderResource },
): Promise<WorkflowTarget> {
    const lookup = (): Promise<string> => repositoryAnswer(`${owner}/${repo.name}`, opts).then((found) => found.defaultBranch);
    const endpoints = remoteFileEndpoints(owner, repo.name, repo.branch, workflow.path);
    const [contents, lastCommit, asked] = await Promise.all([
        github.getRestApi({ endpoint: endpoints.contents }, opts),
        withLastCommit ? github.getRestApi({ endpoint: endpoints.lastCommit }, opts) : undefined,
        defaultBranchNeeded(repo, workflow) ? lookup() : undefined,
    ]);
    const found = parseContents(endpoints.contents, contents);
    const commit = found === undefined || lastCommit === undefined ? { sha: "", message: "" } : parseLastCommit(endpoints.lastCommit, lastCommit);
    const file = found === undefined ? undefined : { content: found.content, commitSha: commit.sha, commitMessage: commit.message };
    if (repo.branch !== undefined) {
        return { branch: repo.branch, defaultBranch: asked, file };
    }
    const branch = found?.ref ?? (await lookup());
    return { branch, defaultBranch: branch, file };
}

