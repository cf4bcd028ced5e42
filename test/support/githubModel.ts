import { createHash } from "crypto";
import { MockedGithub } from "./githubMocks";

/**
 * A model of the GitHub state the stack's resources change, answering each write as the REST
 * API does (the statuses the provider turns into a failed step): 404 for what is missing, 409
 * for an organisation secret's repository access while its visibility is not `selected`, 422
 * for a branch that exists already or no longer exists. Used to see what a sequence of provider
 * calls leaves behind.
 */

/** A file on a branch. */
export interface FileAt {
    readonly content: string;
    /** The commit that last changed it. */
    readonly commitSha: string;
    readonly commitMessage: string;
}

/** One repository. */
export interface ModelRepository {
    readonly id: number;
    readonly defaultBranch: string;
    /** Branch -> path -> file. */
    readonly branches: Map<string, Map<string, FileAt>>;
    /** Branch -> head commit. */
    readonly heads: Map<string, string>;
    /** Actions secrets by (upper-case) name -> value. */
    readonly secrets: Map<string, string>;
    /** Environment -> its secrets (upper-case name -> value). */
    readonly environments: Map<string, Map<string, string>>;
}

/** An organisation Actions secret. */
export interface OrganizationSecret {
    readonly value: string;
    readonly visibility: string;
    /** Repository ids with access (with `selected`). */
    readonly selected: Set<number>;
}

/** A pull request. */
export interface PullRequest {
    readonly number: number;
    readonly repository: string;
    readonly base: string;
    readonly head: string;
    state: "open" | "closed";
}

/** An answer other than success, as the provider reports it. */
export class GithubError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(`${status} ${message}`);
    }
}

/** The blob SHA git gives a file's text. */
export function blobSha(content: string): string {
    return createHash("sha1").update(`blob ${Buffer.byteLength(content)}\0${content}`).digest("hex");
}

/** GitHub's state, and the calls that changed it. */
export class GithubModel {
    readonly repositories = new Map<string, ModelRepository>();
    readonly organizationSecrets = new Map<string, OrganizationSecret>();
    readonly pullRequests: PullRequest[] = [];
    /** Every write, in order (`PUT repos/nur/actions/secrets/X`, ...). */
    readonly writes: string[] = [];
    private commitCount = 0;

    /** A repository with `branches` (the first is the default), each holding a README. */
    addRepository(name: string, id: number, branches: readonly string[]): void {
        const repo: ModelRepository = { id, defaultBranch: branches[0], branches: new Map(), heads: new Map(), secrets: new Map(), environments: new Map() };
        this.repositories.set(name, repo);
        for (const branch of branches) {
            repo.branches.set(branch, new Map());
            this.commit(name, branch, "README.md", `# ${name}\n`, "initial commit");
        }
    }

    /** A deep copy. */
    clone(): GithubModel {
        const copy = new GithubModel();
        for (const [name, repo] of this.repositories) {
            copy.repositories.set(name, {
                ...repo,
                branches: new Map([...repo.branches].map(([b, files]) => [b, new Map(files)])),
                heads: new Map(repo.heads),
                secrets: new Map(repo.secrets),
                environments: new Map([...repo.environments].map(([e, s]) => [e, new Map(s)])),
            });
        }
        for (const [name, secret] of this.organizationSecrets) {
            copy.organizationSecrets.set(name, { ...secret, selected: new Set(secret.selected) });
        }
        copy.pullRequests.push(...this.pullRequests.map((p) => ({ ...p })));
        copy.commitCount = this.commitCount;
        return copy;
    }

    /** The repository called `name`, or 404. */
    repository(name: string): ModelRepository {
        const repo = this.repositories.get(name);
        if (repo === undefined) {
            throw new GithubError(404, `repository ${name}`);
        }
        return repo;
    }

    /** The files of `branch`, or 404. */
    branch(repository: string, branch: string): Map<string, FileAt> {
        const files = this.repository(repository).branches.get(branch);
        if (files === undefined) {
            throw new GithubError(404, `branch ${repository}:${branch}`);
        }
        return files;
    }

    /** Commits `content` (or a deletion) to a branch; returns the commit. */
    commit(repository: string, branch: string, path: string, content: string | undefined, message: string): string {
        const files = this.branch(repository, branch);
        const sha = createHash("sha1").update(`commit ${++this.commitCount}`).digest("hex");
        if (content === undefined) {
            files.delete(path);
        } else {
            files.set(path, { content, commitSha: sha, commitMessage: message });
        }
        this.repository(repository).heads.set(branch, sha);
        return sha;
    }

    /** Records a write. */
    wrote(request: string): void {
        this.writes.push(request);
    }

    /** What the stack's reads see (files, environments, default branches, branch heads). */
    view(): MockedGithub {
        const files: Record<string, FileAt> = {};
        const environments: Record<string, string[]> = {};
        const defaultBranches: Record<string, string> = {};
        const branchHeads: Record<string, string> = {};
        for (const [name, repo] of this.repositories) {
            defaultBranches[name] = repo.defaultBranch;
            environments[name] = [...repo.environments.keys()];
            for (const [branch, branchFiles] of repo.branches) {
                branchHeads[`${name}:${branch}`] = repo.heads.get(branch)!;
                for (const [path, file] of branchFiles) {
                    files[`${name}:${branch}:${path}`] = file;
                }
            }
        }
        return { files, environments, defaultBranches, branchHeads };
    }

    /**
     * What a configuration is judged by: every secret with its value (environments without
     * secrets left out: an environment created on request is kept on purpose), organisation
     * secrets with visibility and access, the branches beyond the repositories' own, the open
     * pull requests, and the text of the files (but the READMEs) by `repository:branch:path`.
     */
    managed(): ManagedState {
        const repositories: ManagedState["repositories"] = {};
        const files: Record<string, string> = {};
        for (const [name, repo] of this.repositories) {
            for (const [branch, branchFiles] of repo.branches) {
                for (const [path, file] of branchFiles) {
                    if (path !== "README.md") {
                        files[`${name}:${branch}:${path}`] = file.content;
                    }
                }
            }
            const environments = Object.fromEntries([...repo.environments].filter(([, s]) => s.size > 0).map(([e, s]) => [e, Object.fromEntries(s)]));
            repositories[name] = { secrets: Object.fromEntries(repo.secrets), environments, branches: [...repo.branches.keys()].sort() };
        }
        const organization = Object.fromEntries(
            [...this.organizationSecrets].map(([name, s]) => [name, { value: s.value, visibility: s.visibility, selected: s.visibility === "selected" ? [...s.selected].sort() : [] }]),
        );
        const pullRequests = this.pullRequests.filter((p) => p.state === "open").map((p) => `${p.repository}: ${p.head} -> ${p.base}`).sort();
        return { repositories, organization, pullRequests, files };
    }
}

/** See {@link GithubModel.managed}. */
export interface ManagedState {
    readonly repositories: Record<string, { secrets: Record<string, string>; environments: Record<string, Record<string, string>>; branches: string[] }>;
    readonly organization: Record<string, { value: string; visibility: string; selected: number[] }>;
    readonly pullRequests: string[];
    readonly files: Record<string, string>;
}
