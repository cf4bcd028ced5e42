import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** One resource registered under mocks. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** `URN::id` of the explicit provider, or "" for the default one. */
    readonly provider: string;
    /** The resource options the engine sees that decide replacements. */
    readonly options: ReplacementOptions;
}

/** The options of a registration that decide how the engine replaces a resource. */
export interface ReplacementOptions {
    readonly deleteBeforeReplace: boolean;
    /** URNs whose replacement replaces this resource too. */
    readonly replaceWith: string[];
    /** The serialized `replacementTrigger` (a secret shows as `{ 4dabf18193072939515e22adb298388d: ..., value }`), if any. */
    readonly replacementTrigger?: unknown;
    /** URNs this resource depends on (inputs and `dependsOn`). */
    readonly dependencies: string[];
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: string[];
    /** `replaceOnChanges` paths. */
    readonly replaceOnChanges: string[];
    /** The URN of `deletedWith`, or "". */
    readonly deletedWith: string;
    /** The names given as aliases (`{ name }` specs, or the last part of alias URNs). */
    readonly aliases: string[];
}

/** A file as the mocked GitHub has it on a branch. */
export interface MockedFile {
    readonly content: string;
    /** The commit that last changed the file. */
    readonly commitSha: string;
    readonly commitMessage: string;
}

/** What the mocked GitHub has, per repository name. */
export interface MockedGithub {
    /** Environments that exist already. */
    readonly environments?: Readonly<Record<string, string[]>>;
    /** Default branches (`main` unless given). */
    readonly defaultBranches?: Readonly<Record<string, string>>;
    /** Files per `repository:branch:path`; any other file is absent. */
    readonly files?: Readonly<Record<string, MockedFile>>;
    /** Head commits per `repository:branch` (else {@link branchHead}). */
    readonly branchHeads?: Readonly<Record<string, string>>;
    /** Run as a preview (`pulumi preview`) rather than an update. */
    readonly preview?: boolean;
}

/** The head commit the mocked `getBranch` answers for a branch (40 hex digits, stable). */
export function branchHead(repository: string, branch: string): string {
    return createHash("sha1").update(`${repository}:${branch}`).digest("hex");
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDeletebeforereplace(): boolean;
    getReplaceWithList(): string[];
    getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
    getDependenciesList(): string[];
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getDeletedwith(): string;
    getAliasesList(): { toObject(): { urn?: string; spec?: { name?: string } } }[];
    getAliasurnsList(): string[];
}

/** One invoke made under mocks. */
export interface InvokeCall {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
}

/** What a mocked run recorded. */
export interface Recording {
    readonly resources: RegisteredResource[];
    readonly calls: InvokeCall[];
}

/** Numeric repository ids the mocked `getRepository` answers, per `owner/name`. */
export function repositoryId(fullName: string): number {
    let hash = 7;
    for (const char of fullName) {
        hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
    }
    return hash;
}

/**
 * Installs mocks that record every resource and invoke; `getRepository` answers a stable id
 * per repository. Calling it again starts a fresh recording (a second "run").
 */
export async function recordGithub(stack = "test", github: MockedGithub = {}): Promise<Recording> {
    const recording: Recording = { resources: [], calls: [] };
    const pending = new Map<string, ReplacementOptions>();
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const options = pending.get(`${args.type} ${args.name}`) ?? {
                    deleteBeforeReplace: false, replaceWith: [], dependencies: [], retainOnDelete: false, ignoreChanges: [], replaceOnChanges: [], deletedWith: "", aliases: [],
                };
                recording.resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider ?? "", options });
                return { id: `${args.name}_id`, state: args.inputs };
            },
            call(args) {
                recording.calls.push({ token: args.token, inputs: args.inputs });
                if (args.token === "github:index/getRepository:getRepository") {
                    const fullName = String(args.inputs.fullName);
                    const defaultBranch = github.defaultBranches?.[fullName.split("/")[1]] ?? "main";
                    return { ...args.inputs, repoId: repositoryId(fullName), defaultBranch };
                }
                if (args.token === "github:index/getRepositoryEnvironments:getRepositoryEnvironments") {
                    const names = github.environments?.[String(args.inputs.repository)] ?? [];
                    return { ...args.inputs, environments: names.map((name) => ({ name, nodeId: `env-${name}` })) };
                }
                if (args.token === "github:index/getRepositoryFile:getRepositoryFile") {
                    const file = github.files?.[`${String(args.inputs.repository)}:${String(args.inputs.branch)}:${String(args.inputs.file)}`];
                    // As the data source answers for a missing file: no id, no SHA.
                    return file === undefined ? { ...args.inputs, id: "" } : { ...args.inputs, ...file, id: "x", sha: createHash("sha1").update(file.content).digest("hex") };
                }
                if (args.token === "github:index/getRestApi:getRestApi") {
                    return { ...args.inputs, ...restAnswer(github, String(args.inputs.endpoint)) };
                }
                if (args.token === "github:index/getBranch:getBranch") {
                    const [repository, branch] = [String(args.inputs.repository), String(args.inputs.branch)];
                    return { ...args.inputs, sha: github.branchHeads?.[`${repository}:${branch}`] ?? branchHead(repository, branch) };
                }
                return args.inputs;
            },
        },
        "nix-cache",
        stack,
        github.preview ?? false,
    );
    // The mocks' newResource sees inputs only: read the options from the request itself.
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): void };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        pending.set(`${req.getType()} ${req.getName()}`, {
            deleteBeforeReplace: req.getDeletebeforereplace(),
            replaceWith: req.getReplaceWithList(),
            replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
            dependencies: req.getDependenciesList(),
            retainOnDelete: req.getRetainondelete(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deletedWith: req.getDeletedwith(),
            aliases: [
                ...req.getAliasesList().map((a) => a.toObject()).map((a) => (a.urn ? a.urn.split("::").pop()! : (a.spec?.name ?? ""))),
                ...req.getAliasurnsList().map((urn) => urn.split("::").pop()!),
            ].filter((name) => name !== ""),
        });
        register(req, cb);
    };
    return recording;
}

/**
 * GitHub's answer to the two reads of a managed file (`repos/O/R/contents/PATH?ref=B` and
 * `repos/O/R/commits?sha=B&path=PATH&per_page=1`), from the mocked files. Without a ref (sha)
 * GitHub answers for the default branch; the contents' `url` names the branch either way.
 */
function restAnswer(github: MockedGithub, endpoint: string): { code: number; body: string } {
    const url = new URL(endpoint, "https://api.invalid/");
    const [, , owner, repository, kind, ...rest] = url.pathname.split("/").map(decodeURIComponent);
    const branch = url.searchParams.get(kind === "contents" ? "ref" : "sha") ?? github.defaultBranches?.[repository] ?? "main";
    const path = kind === "contents" ? rest.join("/") : (url.searchParams.get("path") ?? "");
    const file = github.files?.[`${repository}:${branch}:${path}`];
    if (kind === "contents") {
        const self = `https://api.github.com/repos/${owner}/${repository}/contents/${path}?ref=${encodeURIComponent(branch)}`;
        return file === undefined
            ? { code: 404, body: JSON.stringify({ message: "Not Found" }) }
            : {
                  code: 200,
                  body: JSON.stringify({ type: "file", encoding: "base64", content: Buffer.from(file.content).toString("base64"), sha: createHash("sha1").update(file.content).digest("hex"), url: self }),
              };
    }
    return { code: 200, body: JSON.stringify(file === undefined ? [] : [{ sha: file.commitSha, commit: { message: file.commitMessage } }]) };
}

/** Whether a registered input value was sent as a Pulumi secret. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** The value of an output, once known. */
export function settled<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Waits until every given resource is registered. */
export async function allRegistered(resources: readonly pulumi.Resource[]): Promise<string[]> {
    return Promise.all(resources.map((r) => settled(r.urn)));
}
