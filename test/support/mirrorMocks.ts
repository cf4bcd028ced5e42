import * as pulumi from "@pulumi/pulumi";
import { generateNixSigningKey } from "../../components/formats/signingKey";

/** The key pair the mocked signing-key resource "generates" (a real, well-formed pair). */
export const MOCK_MIRROR_KEY = generateNixSigningKey("atproto-mirror-1");

/** The ARN the mocked GitHub OIDC provider gets. */
export const MOCK_OIDC_PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** One resource registered under mocks. */
export interface MirrorRegistered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** `URN::id` of the explicit provider, or "" for the default one. */
    readonly provider: string;
    /** The names of the resources it depends on (explicitly or through its inputs). */
    readonly dependencies: string[];
    /** Its `protect` and `retainOnDelete` options. */
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** The names of its `onError` hooks. */
    readonly onError: string[];
    /** Its `import` option: the ID of the existing resource it adopts. */
    readonly importId: string;
    /** Its `ignoreChanges` option: the inputs the engine keeps as they are in state. */
    readonly ignoreChanges: string[];
}

/** The names of the error hooks the program registered. */
export const errorHooks = new Set<string>();

/** What a registration request says beyond the inputs the mocks see, per `type::name`. */
const options = new Map<string, Pick<MirrorRegistered, "dependencies" | "protect" | "retainOnDelete" | "onError" | "ignoreChanges">>();

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getIgnorechangesList(): string[];
    getHooks(): { getOnErrorList(): string[] } | undefined;
}

/**
 * The mocks' monitor says it supports error hooks but has no method to register them, so a
 * resource with one (the public bucket policy) would never be registered: accept them, as the
 * engine does. Call after `setMocks`.
 */
export function acceptErrorHooks(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerErrorHook?(req: { getName(): string }, callback: (err: unknown, response: unknown) => void): void;
    };
    monitor.registerErrorHook = (req, callback) => {
        errorHooks.add(req.getName());
        callback(null, {});
    };
}

/** Records each registration's dependencies and options, which the mocks' `newResource` is not given. */
function recordOptions(): void {
    acceptErrorHooks();
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, callback: unknown): unknown };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        options.set(`${req.getType()}::${req.getName()}`, {
            dependencies: req.getDependenciesList().map((urn) => urn.split("::").pop() ?? urn),
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            onError: req.getHooks()?.getOnErrorList() ?? [],
            ignoreChanges: req.getIgnorechangesList(),
        });
        return register(req, callback);
    };
}

/** The account the mocked AWS credentials are of. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** The lookup of the account's GitHub OIDC provider answers this; "none" fails as the provider does when there is none. */
export const mockAws: {
    oidcProvider: "none" | { arn: string; clientIdLists: string[]; thumbprintLists?: string[]; tags: Record<string, string> };
    accountId: string;
    /** The account's S3 Block Public Access; "none" fails as the provider does when the account has none. */
    accountBlock: "none" | { blockPublicAcls: boolean; ignorePublicAcls: boolean; blockPublicPolicy: boolean; restrictPublicBuckets: boolean };
} = {
    oidcProvider: "none",
    accountId: MOCK_ACCOUNT_ID,
    accountBlock: "none",
};

/** A gRPC error from the engine as the SDK reads it (its `details`). */
function invokeError(token: string, message: string): Error {
    const text = `invocation of ${token} returned an error: ${message}`;
    return Object.assign(new Error(text), { details: text });
}

/**
 * The answer of the AWS provider's invokes the mirror makes, as the provider gives them for
 * {@link mockAws}'s account (a lookup that finds nothing fails in the provider's words), or
 * undefined for any other invoke.
 */
export function answerAwsInvoke(token: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    if (token === "aws:index/getCallerIdentity:getCallerIdentity") {
        return { accountId: mockAws.accountId, arn: `arn:aws:iam::${mockAws.accountId}:user/deployer`, userId: "AIDAMOCK", id: mockAws.accountId };
    }
    if (token === "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider") {
        if (mockAws.oidcProvider === "none") {
            // The data source's own words when the account has no provider of that URL.
            throw invokeError(token, `reading IAM OIDC Provider (${String(inputs.url)}): couldn't find resource`);
        }
        return { thumbprintLists: [], ...mockAws.oidcProvider, id: mockAws.oidcProvider.arn, url: "token.actions.githubusercontent.com" };
    }
    if (token === "aws:s3/getAccountPublicAccessBlock:getAccountPublicAccessBlock") {
        if (mockAws.accountBlock === "none") {
            throw invokeError(token, `reading S3 Account Public Access Block (${String(inputs.accountId)}): couldn't find resource`);
        }
        return { ...mockAws.accountBlock, id: String(inputs.accountId), accountId: inputs.accountId };
    }
    return undefined;
}

/** Every invoke made under the mocks: its token and the provider it went through. */
export const invoked: { token: string; provider: string }[] = [];

/** Default branches the mocked GitHub reports other than `main`, per repository name. */
export const MOCK_DEFAULT_BRANCHES: Readonly<Record<string, string>> = { legacy: "master" };

/**
 * Installs mocks that record every resource, answer the outputs real providers compute (ARNs,
 * the dynamic key's pair, an access key) and resolve GitHub repositories' ids and default branches.
 */
export async function recordMirror(): Promise<MirrorRegistered[]> {
    const registered: MirrorRegistered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const given = options.get(`${args.type}::${args.name}`) ?? { dependencies: [], protect: false, retainOnDelete: false, onError: [], ignoreChanges: [] };
                registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider ?? "", importId: args.id ?? "", ...given });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs) } };
            },
            call(args) {
                invoked.push({ token: args.token, provider: args.provider ?? "" });
                const aws = answerAwsInvoke(args.token, args.inputs);
                if (aws !== undefined) {
                    return aws;
                }
                if (args.token === "github:index/getRestApi:getRestApi") {
                    // No workflow file on GitHub yet (as the REST API answers a missing path).
                    return { ...args.inputs, code: 404, body: "{}" };
                }
                const repository = String(args.inputs.fullName ?? "").split("/")[1] ?? "";
                return { ...args.inputs, repoId: 1, defaultBranch: MOCK_DEFAULT_BRANCHES[repository] ?? "main" };
            },
        },
        "nix-cache",
        "test",
        false,
        "organization",
    );
    recordOptions();
    return registered;
}

function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "pulumi-nodejs:dynamic:NixSigningKey":
            return { ...MOCK_MIRROR_KEY };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { arn: MOCK_OIDC_PROVIDER_ARN };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::123456789012:role/${String(inputs.name)}` };
        case "aws:iam/accessKey:AccessKey":
            return { secret: `mock-secret-access-key-of-${name}` };
        default:
            return {};
    }
}

/** Whether a registered input value was sent as a Pulumi secret. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** The value of an output, once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
