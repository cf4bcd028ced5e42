import { createHash, randomBytes } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

/** A stored secret: GitHub never returns its value; the model keeps the encrypted one to tell writes apart. */
export interface LocalGithubSecret {
    readonly encryptedValue: string;
    readonly createdAt: string;
    readonly updatedAt: string;
}

/** An organisation secret: its visibility and, for `selected`, the repository ids it reaches. */
export interface LocalGithubOrgSecret extends LocalGithubSecret {
    readonly visibility: string;
    readonly selected: Set<number>;
}

/** A file on a branch, with its git blob SHA (what the contents API calls `sha`). */
export interface LocalGithubFile {
    readonly content: string;
    readonly sha: string;
}

/** A commit: the one path it changed (the model's commits change one file each) and its parent. */
export interface LocalGithubCommit {
    readonly sha: string;
    readonly path: string;
    readonly message: string;
    readonly parent: string;
}

/** A branch: its head commit and its files. */
export interface LocalGithubBranch {
    head: string;
    readonly files: Map<string, LocalGithubFile>;
}

/** A repository. */
export interface LocalGithubRepository {
    readonly id: number;
    readonly name: string;
    defaultBranch: string;
    readonly branches: Map<string, LocalGithubBranch>;
    /** Every commit, newest first. */
    readonly commits: LocalGithubCommit[];
    /** By upper-case name, as GitHub stores and compares them. */
    readonly secrets: Map<string, LocalGithubSecret>;
    /** Environments and their secrets. */
    readonly environments: Map<string, Map<string, LocalGithubSecret>>;
}

/** A pull request. */
export interface LocalGithubPull {
    readonly number: number;
    readonly repository: string;
    readonly head: string;
    readonly base: string;
    state: "open" | "closed";
    merged: boolean;
    title: string;
    body: string;
}

/**
 * GitHub's REST API on 127.0.0.1 for one organisation, the endpoints the stack and the GitHub
 * provider use: repositories, contents (real blob SHAs; a PUT or DELETE with a stale `sha` is
 * 409, a PUT over an existing file without one is 422), commits (`?sha=&path=&per_page=`,
 * newest first, paged with a `Link` header), branches and refs (a DELETE of a missing ref is 422
 * "Reference does not exist"), repository, environment and organisation secrets (PUT 201 when
 * created, 204 when updated; a missing one is 404; an organisation secret's repository access
 * answers 409 unless its visibility is `selected`), environments, pull requests. Served both at
 * `/` (as api.github.com) and under `/api/v3/` (as GitHub Enterprise Server, where the provider
 * sends a `baseUrl` that is not github.com). Without the token (when one is set): secrets and
 * the organisation's settings are 401 "Requires authentication"; a wrong one is 401 "Bad
 * credentials" everywhere.
 */
export interface LocalGithub {
    /** `http://127.0.0.1:PORT/`, for `github:baseUrl`. */
    readonly baseUrl: string;
    /** `http://127.0.0.1:PORT/api/v3`, the REST root the provider uses under that `baseUrl`. */
    readonly apiUrl: string;
    readonly owner: string;
    readonly repositories: Map<string, LocalGithubRepository>;
    readonly orgSecrets: Map<string, LocalGithubOrgSecret>;
    readonly pulls: LocalGithubPull[];
    /** `METHOD /path?query STATUS` per request, in order (never a body, so never a secret). */
    readonly requests: string[];
    /** Adds a repository with `branches` (the first is the default one), each holding a README commit. */
    addRepository(name: string, branches?: string[]): LocalGithubRepository;
    /** Commits `content` to `path` on `branch` (`undefined`: deletes it), as a push from outside would; returns the commit's SHA. */
    commit(repository: string, branch: string, path: string, content: string | undefined, message: string): string;
    /** Merges every open pull request into its base; GitHub's "automatically delete head branches" when `deleteHead`. */
    mergeOpenPulls(deleteHead: boolean): void;
    close(): Promise<void>;
}

export interface LocalGithubOptions {
    readonly owner: string;
    /** The token requests must carry (`Authorization: Bearer …` or `token …`); any when unset. */
    readonly token?: string;
    readonly port?: number;
}

interface Answer {
    readonly status: number;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
}

/** The git blob SHA of `content`, as GitHub names a file's version. */
export function blobSha(content: string): string {
    return createHash("sha1").update(`blob ${Buffer.byteLength(content)}\0${content}`).digest("hex");
}

/** Starts the model in this process. */
export async function startLocalGithub(options: LocalGithubOptions): Promise<LocalGithub> {
    const state = newState(options.owner);
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const url = new URL(request.url ?? "/", "http://127.0.0.1");
            const text = Buffer.concat(chunks).toString("utf8");
            let result: Answer;
            try {
                result = authorised(options.token, request.headers.authorization, url.pathname) ?? answer(state, request.method ?? "GET", url, text === "" ? {} : (JSON.parse(text) as Body));
            } catch (error) {
                result = { status: 400, body: { message: `Problems parsing JSON: ${String(error)}` } };
            }
            state.github.requests.push(`${request.method} ${url.pathname}${url.search} ${result.status}`);
            // Every GitHub answer names its request; the provider's `getRestApi` takes it as the data source's id (none: no result).
            const requestId = `LOCAL:${state.github.requests.length.toString(16).toUpperCase()}`;
            response.writeHead(result.status, { "Content-Type": "application/json; charset=utf-8", "X-GitHub-Request-Id": requestId, ...result.headers });
            response.end(result.body === undefined ? "" : JSON.stringify(result.body));
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    const { port } = server.address() as AddressInfo;
    return Object.assign(state.github, {
        baseUrl: `http://127.0.0.1:${port}/`,
        apiUrl: `http://127.0.0.1:${port}/api/v3`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    });
}

type Body = Record<string, unknown>;

interface State {
    readonly github: LocalGithub;
    readonly publicKey: string;
    commits: number;
}

function newState(owner: string): State {
    const state: State = { github: undefined as unknown as LocalGithub, publicKey: randomBytes(32).toString("base64"), commits: 0 };
    const github: LocalGithub = {
        baseUrl: "",
        apiUrl: "",
        owner,
        repositories: new Map(),
        orgSecrets: new Map(),
        pulls: [],
        requests: [],
        addRepository(name, branches = ["main"]) {
            const repository: LocalGithubRepository = {
                id: 1000 + github.repositories.size + 1,
                name,
                defaultBranch: branches[0],
                branches: new Map(),
                commits: [],
                secrets: new Map(),
                environments: new Map(),
            };
            github.repositories.set(name, repository);
            for (const branch of branches) {
                repository.branches.set(branch, { head: "", files: new Map() });
                commitTo(state, repository, branch, "README.md", `# ${name}\n`, "Initial commit");
            }
            return repository;
        },
        commit(repositoryName, branch, path, content, message) {
            const repository = github.repositories.get(repositoryName);
            if (repository?.branches.get(branch) === undefined) {
                throw new Error(`no branch ${repositoryName}:${branch}`);
            }
            return commitTo(state, repository, branch, path, content, message);
        },
        mergeOpenPulls(deleteHead) {
            for (const pull of github.pulls.filter((p) => p.state === "open")) {
                const repository = github.repositories.get(pull.repository)!;
                for (const [path, file] of repository.branches.get(pull.head)?.files ?? []) {
                    if (repository.branches.get(pull.base)?.files.get(path)?.sha !== file.sha) {
                        commitTo(state, repository, pull.base, path, file.content, `Merge pull request #${pull.number}`);
                    }
                }
                Object.assign(pull, { state: "closed", merged: true });
                if (deleteHead) {
                    repository.branches.delete(pull.head);
                }
            }
        },
        close: async () => undefined,
    };
    return Object.assign(state, { github });
}

function commitTo(state: State, repository: LocalGithubRepository, branchName: string, path: string, content: string | undefined, message: string): string {
    const branch = repository.branches.get(branchName)!;
    state.commits += 1;
    const sha = createHash("sha1").update(`commit ${state.commits}`).digest("hex");
    if (content === undefined) {
        branch.files.delete(path);
    } else {
        branch.files.set(path, { content, sha: blobSha(content) });
    }
    repository.commits.unshift({ sha, path, message, parent: branch.head });
    branch.head = sha;
    return sha;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const fail = (status: number, message: string): Answer => ({ status, body: { message } });
const NOT_FOUND = fail(404, "Not Found");

/** 401 for a wrong token, or for no token on what needs one (secrets, the organisation's settings). */
function authorised(token: string | undefined, header: string | undefined, pathname: string): Answer | undefined {
    if (token === undefined) {
        return undefined;
    }
    if (header === undefined) {
        return /\/(actions|environments)\//.test(pathname) ? fail(401, "Requires authentication") : undefined;
    }
    return header === `Bearer ${token}` || header === `token ${token}` ? undefined : fail(401, "Bad credentials");
}

function answer(state: State, method: string, url: URL, body: Body): Answer {
    const parts = url.pathname
        .replace(/^\/api\/v3(?=\/)/, "")
        .split("/")
        .filter((p) => p !== "")
        .map(decodeURIComponent);
    const github = state.github;
    if (parts[0] === "user" && parts.length === 1) {
        return { status: 200, body: { login: "local-bot", id: 1 } };
    }
    if (parts[0] === "orgs" && parts[1] === github.owner) {
        return parts.length === 2 ? { status: 200, body: { login: github.owner, id: 9 } } : orgSecrets(state, method, parts.slice(2), body);
    }
    if (parts[0] !== "repos" || parts[1] !== github.owner) {
        return NOT_FOUND;
    }
    const repository = github.repositories.get(parts[2]);
    if (repository === undefined) {
        return NOT_FOUND;
    }
    const rest = parts.slice(3);
    switch (rest[0]) {
        case undefined:
            return { status: 200, body: repositoryJson(github.owner, repository) };
        case "actions":
            return rest[1] === "secrets" ? secrets(state, repository.secrets, method, rest.slice(2), body) : NOT_FOUND;
        case "environments":
            return environments(state, repository, method, rest.slice(1), body);
        case "branches":
            return branch(repository, rest.slice(1).join("/"));
        case "git":
            return refs(repository, method, rest.slice(1), body);
        case "contents":
            return contents(state, url, repository, method, rest.slice(1).join("/"), body);
        case "commits":
            return commits(url, repository, rest.slice(1));
        case "pulls":
            return pulls(state, repository, method, rest.slice(1), body);
        default:
            return NOT_FOUND;
    }
}

function repositoryJson(owner: string, repository: LocalGithubRepository): Body {
    return {
        id: repository.id,
        node_id: `R_${repository.id}`,
        name: repository.name,
        full_name: `${owner}/${repository.name}`,
        default_branch: repository.defaultBranch,
        private: false,
        visibility: "public",
        archived: false,
        owner: { login: owner },
    };
}

/** `…/secrets/public-key`, `…/secrets/NAME` for a repository's or an environment's secrets. */
function secrets(state: State, held: Map<string, LocalGithubSecret>, method: string, rest: string[], body: Body): Answer {
    if (rest.length !== 1) {
        return NOT_FOUND;
    }
    if (rest[0] === "public-key") {
        return { status: 200, body: { key_id: "local-key", key: state.publicKey } };
    }
    const name = rest[0].toUpperCase();
    return secretEntry(held, name, method, (found) => ({ encryptedValue: String(body.encrypted_value ?? ""), createdAt: found?.createdAt ?? now(), updatedAt: now() }), (found) => ({
        name,
        created_at: found.createdAt,
        updated_at: found.updatedAt,
    }));
}

/** One secret's PUT (201 created, 204 updated), GET and DELETE (404 when missing). */
function secretEntry<T extends LocalGithubSecret>(held: Map<string, T>, name: string, method: string, written: (found: T | undefined) => T, json: (found: T) => Body): Answer {
    const found = held.get(name);
    if (method === "PUT") {
        held.set(name, written(found));
        return { status: found === undefined ? 201 : 204 };
    }
    if (found === undefined) {
        return NOT_FOUND;
    }
    if (method === "DELETE") {
        held.delete(name);
        return { status: 204 };
    }
    return method === "GET" ? { status: 200, body: json(found) } : NOT_FOUND;
}

function orgSecrets(state: State, method: string, rest: string[], body: Body): Answer {
    if (rest[0] !== "actions" || rest[1] !== "secrets" || rest.length < 3) {
        return NOT_FOUND;
    }
    if (rest[2] === "public-key") {
        return { status: 200, body: { key_id: "local-key", key: state.publicKey } };
    }
    const held = state.github.orgSecrets;
    const name = rest[2].toUpperCase();
    const found = held.get(name);
    if (rest.length === 3) {
        const written = (previous: LocalGithubOrgSecret | undefined): LocalGithubOrgSecret => ({
            encryptedValue: String(body.encrypted_value ?? ""),
            visibility: String(body.visibility ?? "private"),
            selected: new Set(Array.isArray(body.selected_repository_ids) ? (body.selected_repository_ids as number[]) : []),
            createdAt: previous?.createdAt ?? now(),
            updatedAt: now(),
        });
        const selectedUrl = `${state.github.apiUrl}/orgs/${state.github.owner}/actions/secrets/${name}/repositories`;
        return secretEntry(held, name, method, written, (secret) => ({
            name,
            created_at: secret.createdAt,
            updated_at: secret.updatedAt,
            visibility: secret.visibility,
            selected_repositories_url: selectedUrl,
        }));
    }
    if (rest[3] !== "repositories" || found === undefined) {
        return NOT_FOUND;
    }
    const repositories = [...state.github.repositories.values()];
    if (method === "GET" && rest.length === 4) {
        const selected = repositories.filter((r) => found.selected.has(r.id)).map((r) => repositoryJson(state.github.owner, r));
        return { status: 200, body: { total_count: selected.length, repositories: selected } };
    }
    if (found.visibility !== "selected") {
        return fail(409, "The visibility type of this secret is not set to selected");
    }
    if (rest.length === 4 && method === "PUT") {
        found.selected.clear();
        for (const id of (body.selected_repository_ids as number[] | undefined) ?? []) {
            found.selected.add(id);
        }
        return { status: 204 };
    }
    const id = Number(rest[4]);
    if (rest.length !== 5 || !repositories.some((r) => r.id === id)) {
        return NOT_FOUND;
    }
    if (method === "PUT") {
        found.selected.add(id);
        return { status: 204 };
    }
    if (method === "DELETE") {
        found.selected.delete(id);
        return { status: 204 };
    }
    return NOT_FOUND;
}

function environments(state: State, repository: LocalGithubRepository, method: string, rest: string[], body: Body): Answer {
    if (rest.length === 0) {
        const names = [...repository.environments.keys()];
        return { status: 200, body: { total_count: names.length, environments: names.map((name, i) => ({ id: i + 1, node_id: `EN_${i + 1}`, name })) } };
    }
    const name = rest[0];
    const held = repository.environments.get(name);
    if (rest.length === 1) {
        if (method === "PUT") {
            if (held === undefined) {
                repository.environments.set(name, new Map());
            }
            return { status: 200, body: { id: 1, node_id: "EN_1", name, protection_rules: [] } };
        }
        if (held === undefined) {
            return NOT_FOUND;
        }
        if (method === "DELETE") {
            repository.environments.delete(name);
            return { status: 204 };
        }
        return method === "GET" ? { status: 200, body: { id: 1, node_id: "EN_1", name, protection_rules: [] } } : NOT_FOUND;
    }
    return held === undefined || rest[1] !== "secrets" ? NOT_FOUND : secrets(state, held, method, rest.slice(2), body);
}

function branch(repository: LocalGithubRepository, name: string): Answer {
    const found = repository.branches.get(name);
    return found === undefined ? fail(404, "Branch not found") : { status: 200, body: { name, commit: { sha: found.head } } };
}

/** `git/ref/heads/B` (read), `git/refs` (POST: create), `git/refs/heads/B` (DELETE). */
function refs(repository: LocalGithubRepository, method: string, rest: string[], body: Body): Answer {
    if (rest[0] === "ref" && rest[1] === "heads" && method === "GET") {
        const name = rest.slice(2).join("/");
        const found = repository.branches.get(name);
        return found === undefined ? NOT_FOUND : { status: 200, body: { ref: `refs/heads/${name}`, object: { sha: found.head, type: "commit" } } };
    }
    if (rest[0] !== "refs") {
        return NOT_FOUND;
    }
    if (method === "POST" && rest.length === 1) {
        const name = String(body.ref ?? "").replace(/^refs\/heads\//, "");
        if (repository.branches.has(name)) {
            return fail(422, "Reference already exists");
        }
        const from = [...repository.branches.values()].find((b) => b.head === body.sha);
        if (from === undefined) {
            return fail(422, "Object does not exist");
        }
        repository.branches.set(name, { head: from.head, files: new Map(from.files) });
        return { status: 201, body: { ref: `refs/heads/${name}`, object: { sha: from.head, type: "commit" } } };
    }
    if (method === "DELETE" && rest[1] === "heads") {
        return repository.branches.delete(rest.slice(2).join("/")) ? { status: 204 } : fail(422, "Reference does not exist");
    }
    return NOT_FOUND;
}

function contents(state: State, url: URL, repository: LocalGithubRepository, method: string, path: string, body: Body): Answer {
    const branchName = method === "GET" ? (url.searchParams.get("ref") ?? repository.defaultBranch) : String(body.branch ?? repository.defaultBranch);
    const onBranch = repository.branches.get(branchName);
    if (onBranch === undefined) {
        return fail(404, `No commit found for the ref ${branchName}`);
    }
    const file = onBranch.files.get(path);
    if (method === "GET") {
        if (file === undefined) {
            return NOT_FOUND;
        }
        const self = `${state.github.apiUrl}/repos/${state.github.owner}/${repository.name}/contents/${path}?ref=${encodeURIComponent(branchName)}`;
        return {
            status: 200,
            body: { type: "file", encoding: "base64", size: Buffer.byteLength(file.content), name: path.split("/").pop(), path, sha: file.sha, url: self, content: Buffer.from(file.content).toString("base64") },
        };
    }
    if (method === "PUT") {
        if (file !== undefined && body.sha === undefined) {
            return fail(422, `Invalid request.\n\n"sha" wasn't supplied.`);
        }
        if (file !== undefined && body.sha !== file.sha) {
            return fail(409, `${path} does not match ${String(body.sha)}`);
        }
        const content = Buffer.from(String(body.content ?? ""), "base64").toString("utf8");
        const commit = commitTo(state, repository, branchName, path, content, String(body.message ?? ""));
        return { status: file === undefined ? 201 : 200, body: { content: { name: path.split("/").pop(), path, sha: blobSha(content) }, commit: { sha: commit, message: body.message } } };
    }
    if (method === "DELETE") {
        if (file === undefined) {
            return NOT_FOUND;
        }
        if (body.sha !== file.sha) {
            return fail(409, `${path} does not match ${String(body.sha)}`);
        }
        return { status: 200, body: { content: null, commit: { sha: commitTo(state, repository, branchName, path, undefined, String(body.message ?? "")) } } };
    }
    return NOT_FOUND;
}

/** `commits/SHA`, or the branch's history (`sha`, else the default branch), filtered by `path`, newest first. */
function commits(url: URL, repository: LocalGithubRepository, rest: string[]): Answer {
    const json = (c: LocalGithubCommit): Body => ({ sha: c.sha, commit: { message: c.message, committer: { name: "local", email: "local@example.org" } }, files: [{ filename: c.path }] });
    if (rest.length === 1) {
        const found = repository.commits.find((c) => c.sha === rest[0]);
        return found === undefined ? fail(422, `No commit found for SHA: ${rest[0]}`) : { status: 200, body: json(found) };
    }
    const query = url.searchParams;
    const from = repository.branches.get(query.get("sha") ?? repository.defaultBranch);
    if (from === undefined) {
        return NOT_FOUND;
    }
    const history: LocalGithubCommit[] = [];
    for (let at = from.head; at !== ""; ) {
        const found = repository.commits.find((c) => c.sha === at);
        if (found === undefined) {
            break;
        }
        history.push(found);
        at = found.parent;
    }
    const path = query.get("path");
    const hits = history.filter((c) => path === null || c.path === path);
    const perPage = Number(query.get("per_page") ?? 30);
    const page = Number(query.get("page") ?? 1);
    const headers: Record<string, string> = {};
    if (page * perPage < hits.length) {
        const next = new URL(url.toString());
        next.searchParams.set("page", String(page + 1));
        headers.Link = `<${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: hits.slice((page - 1) * perPage, page * perPage).map(json), headers };
}

function pulls(state: State, repository: LocalGithubRepository, method: string, rest: string[], body: Body): Answer {
    const owner = state.github.owner;
    const json = (pull: LocalGithubPull): Body => {
        const side = (ref: string): Body => ({ ref, sha: repository.branches.get(ref)?.head ?? "", repo: repositoryJson(owner, repository), user: { login: owner } });
        return { ...pull, maintainer_can_modify: false, draft: false, head: side(pull.head), base: side(pull.base), user: { login: "local-bot" }, labels: [], created_at: now(), updated_at: now() };
    };
    if (method === "POST" && rest.length === 0) {
        const head = String(body.head ?? "");
        if (!repository.branches.has(head)) {
            return fail(422, "Validation Failed: head invalid");
        }
        if (state.github.pulls.some((p) => p.repository === repository.name && p.head === head && p.state === "open")) {
            return fail(422, `A pull request already exists for ${owner}:${head}.`);
        }
        const pull: LocalGithubPull = {
            number: state.github.pulls.length + 1,
            repository: repository.name,
            head,
            base: String(body.base ?? repository.defaultBranch),
            state: "open",
            merged: false,
            title: String(body.title ?? ""),
            body: String(body.body ?? ""),
        };
        state.github.pulls.push(pull);
        return { status: 201, body: json(pull) };
    }
    const pull = state.github.pulls.find((p) => p.repository === repository.name && p.number === Number(rest[0]));
    if (pull === undefined || rest.length !== 1) {
        return NOT_FOUND;
    }
    if (method === "PATCH") {
        if (pull.merged && body.state !== undefined) {
            return fail(422, "Cannot change the state of a merged pull request");
        }
        Object.assign(pull, { ...(body.state === undefined ? {} : { state: body.state }), ...(body.title === undefined ? {} : { title: body.title }), ...(body.body === undefined ? {} : { body: body.body }) });
    }
    return method === "GET" || method === "PATCH" ? { status: 200, body: json(pull) } : NOT_FOUND;
}
