import { blobSha, GithubError, GithubModel } from "./githubModel";

/**
 * What each resource of the GitHub provider (pulumi-github 6.15.0, built on
 * terraform-provider-github v6.13.0) does to GitHub on create, update and delete, and which
 * input changes make it a replacement. Taken from the upstream resources' CRUD functions and
 * schemas (`ForceNew`), not from their documentation.
 */

/** A resource as the stack's state holds it: inputs as registered, and what the provider stored. */
export interface Deployed {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** What the provider stored besides the inputs (a pull request's number and state, a file's blob SHA). */
    readonly stored: Record<string, unknown>;
}

/** One resource type's effects. */
interface ResourceModel {
    /** Inputs whose change replaces the resource. */
    readonly forceNew: readonly string[];
    /** `repository` changes are replacements unless the new name is the same repository (upstream's `diffRepository`). */
    readonly renamable?: boolean;
    create(github: GithubModel, inputs: Record<string, unknown>): Record<string, unknown>;
    update(github: GithubModel, inputs: Record<string, unknown>, old: Deployed): Record<string, unknown>;
    delete(github: GithubModel, old: Deployed): void;
}

/** An input as the provider sees it: a secret's plain value. */
export function plain(value: unknown): unknown {
    if (typeof value === "object" && value !== null && "value" in value && Object.keys(value).some((k) => k.length === 32)) {
        return (value as { value: unknown }).value;
    }
    return value;
}

const text = (inputs: Record<string, unknown>, key: string): string => String(plain(inputs[key]));

/** `CreateOrUpdateOrgSecret`: the ids go only when given; GitHub takes `selected` with none as no repository. */
function putOrganizationSecret(github: GithubModel, inputs: Record<string, unknown>): Record<string, unknown> {
    const name = text(inputs, "secretName").toUpperCase();
    const ids = inputs.selectedRepositoryIds as number[] | undefined;
    github.organizationSecrets.set(name, { value: text(inputs, "value"), visibility: text(inputs, "visibility"), selected: new Set(ids ?? []) });
    github.wrote(`PUT orgs/actions/secrets/${name}`);
    return {};
}

/** The organisation secret a repository-access call names; 404 if missing, 409 unless `selected` (GitHub's answers). */
function selectedSecret(github: GithubModel, inputs: Record<string, unknown>): Set<number> {
    const name = text(inputs, "secretName").toUpperCase();
    const secret = github.organizationSecrets.get(name);
    if (secret === undefined) {
        throw new GithubError(404, `organisation secret ${name}`);
    }
    if (secret.visibility !== "selected") {
        throw new GithubError(409, `organisation secret ${name}: visibility is not selected`);
    }
    return secret.selected;
}

function putRepositorySecret(github: GithubModel, inputs: Record<string, unknown>): Record<string, unknown> {
    const name = text(inputs, "secretName").toUpperCase();
    github.repository(text(inputs, "repository")).secrets.set(name, text(inputs, "value"));
    github.wrote(`PUT repos/${text(inputs, "repository")}/actions/secrets/${name}`);
    return {};
}

function environmentSecrets(github: GithubModel, inputs: Record<string, unknown>): Map<string, string> {
    const secrets = github.repository(text(inputs, "repository")).environments.get(text(inputs, "environment"));
    if (secrets === undefined) {
        throw new GithubError(404, `environment ${text(inputs, "repository")}:${text(inputs, "environment")}`);
    }
    return secrets;
}

function putEnvironmentSecret(github: GithubModel, inputs: Record<string, unknown>): Record<string, unknown> {
    const name = text(inputs, "secretName").toUpperCase();
    environmentSecrets(github, inputs).set(name, text(inputs, "value"));
    github.wrote(`PUT repos/${text(inputs, "repository")}/environments/${text(inputs, "environment")}/secrets/${name}`);
    return {};
}

function putEnvironment(github: GithubModel, inputs: Record<string, unknown>): Record<string, unknown> {
    const repo = github.repository(text(inputs, "repository"));
    const environment = text(inputs, "environment");
    if (!repo.environments.has(environment)) {
        repo.environments.set(environment, new Map());
    }
    github.wrote(`PUT repos/${text(inputs, "repository")}/environments/${environment}`);
    return {};
}

/**
 * `overwrite_on_create`: the create reads the file's current SHA and writes over it; with
 * `autocreate_branch` a missing branch is first made from `autocreate_branch_source_branch`.
 */
function writeFile(github: GithubModel, inputs: Record<string, unknown>): Record<string, unknown> {
    const [repository, branch, path, content] = ["repository", "branch", "file", "content"].map((k) => text(inputs, k));
    const repo = github.repository(repository);
    if (!repo.branches.has(branch) && inputs.autocreateBranch === true) {
        const source = text(inputs, "autocreateBranchSourceBranch");
        repo.branches.set(branch, new Map(github.branch(repository, source)));
        repo.heads.set(branch, repo.heads.get(source)!);
        github.wrote(`POST repos/${repository}/git/refs ${branch}`);
    }
    github.commit(repository, branch, path, content, text(inputs, "commitMessage"));
    github.wrote(`PUT repos/${repository}/contents/${path}@${branch}`);
    return { sha: blobSha(content) };
}

const MODELS: Record<string, ResourceModel> = {
    "github:index/actionsSecret:ActionsSecret": {
        forceNew: ["secretName"],
        renamable: true,
        create: putRepositorySecret,
        update: putRepositorySecret,
        delete(github, old) {
            const name = text(old.inputs, "secretName").toUpperCase();
            if (!github.repository(text(old.inputs, "repository")).secrets.delete(name)) {
                throw new GithubError(404, `secret ${text(old.inputs, "repository")}:${name}`);
            }
            github.wrote(`DELETE repos/${text(old.inputs, "repository")}/actions/secrets/${name}`);
        },
    },
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": {
        forceNew: ["secretName", "environment"],
        renamable: true,
        create: putEnvironmentSecret,
        update: putEnvironmentSecret,
        delete(github, old) {
            const name = text(old.inputs, "secretName").toUpperCase();
            if (!environmentSecrets(github, old.inputs).delete(name)) {
                throw new GithubError(404, `environment secret ${name}`);
            }
            github.wrote(`DELETE repos/${text(old.inputs, "repository")}/environments/${text(old.inputs, "environment")}/secrets/${name}`);
        },
    },
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": {
        forceNew: ["secretName"],
        create: putOrganizationSecret,
        update: putOrganizationSecret,
        delete(github, old) {
            const name = text(old.inputs, "secretName").toUpperCase();
            if (!github.organizationSecrets.delete(name)) {
                throw new GithubError(404, `organisation secret ${name}`);
            }
            github.wrote(`DELETE orgs/actions/secrets/${name}`);
        },
    },
    // `SetSelectedReposForOrgSecret` with the list; its delete sets an empty list.
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories": {
        forceNew: ["secretName"],
        create(github, inputs) {
            const selected = selectedSecret(github, inputs);
            selected.clear();
            (inputs.selectedRepositoryIds as number[]).forEach((id) => selected.add(id));
            github.wrote(`PUT orgs/actions/secrets/${text(inputs, "secretName")}/repositories`);
            return {};
        },
        update(github, inputs) {
            return this.create(github, inputs);
        },
        delete(github, old) {
            selectedSecret(github, old.inputs).clear();
            github.wrote(`PUT orgs/actions/secrets/${text(old.inputs, "secretName")}/repositories []`);
        },
    },
    // `AddSelectedRepoToOrgSecret` / `RemoveSelectedRepoFromOrgSecret`.
    "github:index/actionsOrganizationSecretRepository:ActionsOrganizationSecretRepository": {
        forceNew: ["secretName", "repositoryId"],
        create(github, inputs) {
            selectedSecret(github, inputs).add(inputs.repositoryId as number);
            github.wrote(`PUT orgs/actions/secrets/${text(inputs, "secretName")}/repositories/${String(inputs.repositoryId)}`);
            return {};
        },
        update(github, inputs) {
            return this.create(github, inputs);
        },
        delete(github, old) {
            selectedSecret(github, old.inputs).delete(old.inputs.repositoryId as number);
            github.wrote(`DELETE orgs/actions/secrets/${text(old.inputs, "secretName")}/repositories/${String(old.inputs.repositoryId)}`);
        },
    },
    "github:index/repositoryEnvironment:RepositoryEnvironment": {
        forceNew: ["environment"],
        renamable: true,
        create: putEnvironment,
        update: putEnvironment,
        delete(github, old) {
            if (!github.repository(text(old.inputs, "repository")).environments.delete(text(old.inputs, "environment"))) {
                throw new GithubError(404, `environment ${text(old.inputs, "environment")}`);
            }
            github.wrote(`DELETE repos/${text(old.inputs, "repository")}/environments/${text(old.inputs, "environment")}`);
        },
    },
    // The provider's update sends the SHA it stored: 409 once the file changed since.
    "github:index/repositoryFile:RepositoryFile": {
        forceNew: ["branch", "file"],
        renamable: true,
        create: writeFile,
        update(github, inputs, old) {
            const current = github.branch(text(inputs, "repository"), text(inputs, "branch")).get(text(inputs, "file"));
            if (current === undefined || blobSha(current.content) !== old.stored.sha) {
                throw new GithubError(409, `${text(inputs, "file")} does not match ${String(old.stored.sha)}`);
            }
            return writeFile(github, inputs);
        },
        delete(github, old) {
            const [repository, branch, path] = ["repository", "branch", "file"].map((k) => text(old.inputs, k));
            const current = github.branch(repository, branch).get(path);
            if (current === undefined) {
                throw new GithubError(404, `${path} on ${branch}`);
            }
            if (blobSha(current.content) !== old.stored.sha) {
                throw new GithubError(409, `${path} does not match ${String(old.stored.sha)}`);
            }
            github.commit(repository, branch, path, undefined, "Delete");
            github.wrote(`DELETE repos/${repository}/contents/${path}@${branch}`);
        },
    },
    // `CreateRef` from the source branch (422 if the ref exists); the delete is `DeleteRef` (422 if gone).
    "github:index/branch:Branch": {
        forceNew: ["repository", "sourceBranch", "sourceSha"],
        create(github, inputs) {
            const [repository, branch, source] = ["repository", "branch", "sourceBranch"].map((k) => text(inputs, k));
            const repo = github.repository(repository);
            if (repo.branches.has(branch)) {
                throw new GithubError(422, `Reference already exists: ${branch}`);
            }
            repo.branches.set(branch, new Map(github.branch(repository, source)));
            repo.heads.set(branch, repo.heads.get(source)!);
            github.wrote(`POST repos/${repository}/git/refs ${branch}`);
            return {};
        },
        update(github, inputs, old) {
            const repo = github.repository(text(inputs, "repository"));
            const files = github.branch(text(inputs, "repository"), text(old.inputs, "branch"));
            repo.branches.delete(text(old.inputs, "branch"));
            repo.branches.set(text(inputs, "branch"), files);
            repo.heads.set(text(inputs, "branch"), repo.heads.get(text(old.inputs, "branch"))!);
            github.wrote(`POST repos/${text(inputs, "repository")}/branches/${text(old.inputs, "branch")}/rename`);
            return {};
        },
        delete(github, old) {
            const [repository, branch] = ["repository", "branch"].map((k) => text(old.inputs, k));
            if (!github.repository(repository).branches.delete(branch)) {
                throw new GithubError(422, `Reference does not exist: ${branch}`);
            }
            github.wrote(`DELETE repos/${repository}/git/refs/heads/${branch}`);
        },
    },
    // The delete closes the pull request only if the state stored at the last read says "open".
    "github:index/repositoryPullRequest:RepositoryPullRequest": {
        forceNew: ["baseRepository", "headRef", "owner"],
        create(github, inputs) {
            const [repository, base, head] = ["baseRepository", "baseRef", "headRef"].map((k) => text(inputs, k));
            github.branch(repository, head);
            if (github.pullRequests.some((p) => p.repository === repository && p.head === head && p.state === "open")) {
                throw new GithubError(422, `A pull request already exists for ${head}`);
            }
            const number = github.pullRequests.length + 1;
            github.pullRequests.push({ number, repository, base, head, state: "open" });
            github.wrote(`POST repos/${repository}/pulls ${head}`);
            return { number, state: "open" };
        },
        update(github, inputs, old) {
            github.wrote(`PATCH repos/${text(inputs, "baseRepository")}/pulls/${String(old.stored.number)}`);
            return old.stored;
        },
        delete(github, old) {
            if (old.stored.state !== "open") {
                return;
            }
            github.pullRequests.find((p) => p.number === old.stored.number)!.state = "closed";
            github.wrote(`PATCH repos/${text(old.inputs, "baseRepository")}/pulls/${String(old.stored.number)} closed`);
        },
    },
};

/** The model of a resource type; an unmodelled GitHub type is an error. */
export function resourceModel(type: string): ResourceModel {
    const model = MODELS[type];
    if (model === undefined) {
        throw new Error(`no model of ${type}`);
    }
    return model;
}

/**
 * Whether changing `key` from the old inputs to the new replaces the resource: a `ForceNew`
 * input, or `repository` naming another repository (a rename of the same one is an update).
 */
export function replacesOn(github: GithubModel, type: string, key: string, old: Record<string, unknown>, next: Record<string, unknown>): boolean {
    const model = resourceModel(type);
    if (key === "repository" && model.renamable) {
        const [before, after] = [github.repositories.get(text(old, key)), github.repositories.get(text(next, key))];
        return before === undefined || after === undefined || before.id !== after.id;
    }
    return model.forceNew.includes(key);
}

/**
 * Which inputs take a value from another resource, and are `ForceNew`: when that resource is
 * replaced deleting first, the engine's Diff with the value unknown says "replace", so the
 * engine deletes these dependents before it (`calculateDependentReplacements`).
 */
export const PROPERTY_REPLACEMENTS: Readonly<Record<string, string>> = {
    "github:index/actionsOrganizationSecretRepositories:ActionsOrganizationSecretRepositories": "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/actionsOrganizationSecretRepository:ActionsOrganizationSecretRepository": "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/repositoryFile:RepositoryFile": "github:index/branch:Branch",
    "github:index/repositoryPullRequest:RepositoryPullRequest": "github:index/branch:Branch",
};
