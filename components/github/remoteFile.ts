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

/** The text of the file from the contents answer, or `undefined` when it is not on the branch (404, or a directory there). */
export function parseContents(endpoint: string, contents: RestAnswer): string | undefined {
    if (contents.code === 404) {
        return undefined;
    }
    checked(endpoint, contents);
    const file = JSON.parse(contents.body) as { type?: string; content?: string; encoding?: string } | unknown[];
    if (Array.isArray(file) || file.type !== "file") {
        return undefined;
    }
    return file.encoding === "base64" ? Buffer.from(file.content ?? "", "base64").toString("utf8") : (file.content ?? "");
}

/**
 * The file from the two answers, or `undefined` when it is not on the branch. Any status but
 * 200 (and 404 for the contents) is an error: deciding on a guess could write over the file or
 * leave it stale.
 */
export function parseRemoteFile(endpoints: { contents: string; lastCommit: string }, contents: RestAnswer, lastCommit: RestAnswer): RemoteWorkflowFile | undefined {
    const content = parseContents(endpoints.contents, contents);
    if (content === undefined) {
        return undefined;
    }
    checked(endpoints.lastCommit, lastCommit);
    const [commit] = JSON.parse(lastCommit.body) as { sha?: string; commit?: { message?: string } }[];
    return { content, commitSha: commit?.sha ?? "", commitMessage: commit?.commit?.message ?? "" };
}

function checked(endpoint: string, answer: RestAnswer): void {
    if (answer.code !== 200) {
        throw new Error(`GitHub answered ${answer.code} to GET ${endpoint}`);
    }
}

/** Reads only the text of the file at `path` on `branch` (one request). */
export function readRemoteText(owner: string, repository: string, branch: string, path: string, opts: pulumi.InvokeOptions): Promise<string | undefined> {
    const { contents } = remoteFileEndpoints(owner, repository, branch, path);
    return github.getRestApi({ endpoint: contents }, opts).then((answer) => parseContents(contents, answer));
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
