import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { RemoteWorkflowFile } from "./fileOwnership";

/**
 * Reads the managed file as GitHub has it with two requests whatever the file's history: its
 * contents, and the one commit that last changed it. (The provider's `getRepositoryFile` pages
 * through every commit that ever touched the path to find that commit, so each run cost more
 * with every write the stack had made.)
 */

/** The REST endpoints (relative to the API root, as `getRestApi` takes them) of the two reads. */
export function remoteFileEndpoints(owner: string, repository: string, branch: string, path: string): { contents: string; lastCommit: string } {
    const repo = `repos/${encodeURIComponent(owner)}/${encodeURIComponent(repository)}`;
    const file = path.split("/").map(encodeURIComponent).join("/");
    const ref = encodeURIComponent(branch);
    return {
        contents: `${repo}/contents/${file}?ref=${ref}`,
        lastCommit: `${repo}/commits?sha=${ref}&path=${encodeURIComponent(path)}&per_page=1`,
    };
}

/** One `getRestApi` answer: the status code and the body as text. */
export interface RestAnswer {
    readonly code: number;
    readonly body: string;
}

/**
 * The file from the two answers, or `undefined` when it is not on the branch (404, or a
 * directory at that path). Any other status is an error: deciding on a guess could write over
 * the file or leave it stale.
 */
export function parseRemoteFile(endpoints: { contents: string; lastCommit: string }, contents: RestAnswer, lastCommit: RestAnswer): RemoteWorkflowFile | undefined {
    if (contents.code === 404) {
        return undefined;
    }
    for (const [endpoint, answer] of [[endpoints.contents, contents], [endpoints.lastCommit, lastCommit]] as const) {
        if (answer.code !== 200) {
            throw new Error(`GitHub answered ${answer.code} to GET ${endpoint}`);
        }
    }
    const file = JSON.parse(contents.body) as { type?: string; content?: string; encoding?: string } | unknown[];
    if (Array.isArray(file) || file.type !== "file") {
        return undefined;
    }
    const content = file.encoding === "base64" ? Buffer.from(file.content ?? "", "base64").toString("utf8") : (file.content ?? "");
    const [commit] = JSON.parse(lastCommit.body) as { sha?: string; commit?: { message?: string } }[];
    return { content, commitSha: commit?.sha ?? "", commitMessage: commit?.commit?.message ?? "" };
}

/** Reads the file at `path` on `branch` (see the module's comment). */
export function readRemoteFile(
    owner: string,
    repository: string,
    branch: string,
    path: string,
    opts: pulumi.InvokeOptions,
): Promise<RemoteWorkflowFile | undefined> {
    const endpoints = remoteFileEndpoints(owner, repository, branch, path);
    return Promise.all([github.getRestApi({ endpoint: endpoints.contents }, opts), github.getRestApi({ endpoint: endpoints.lastCommit }, opts)]).then(
        ([contents, lastCommit]) => parseRemoteFile(endpoints, contents, lastCommit),
    );
}
