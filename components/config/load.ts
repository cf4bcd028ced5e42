import { readCacheSection, readExtraCaches } from "./cacheSection";
import { readGithubSection } from "./githubSection";
import { readHostsSection } from "./hostsSection";
import { readMirrorSection } from "./mirrorSection";
import { PROJECT_NAME, StackModel } from "./model";
import { describeValue, Problems } from "./problems";

/** Stack configuration as it arrives, before validation. */
export interface RawStackConfig {
    /** Values keyed by full config key (`nix-cache:cache`); structured values may be JSON text. */
    readonly values: Readonly<Record<string, unknown>>;
    /** Full keys of the values that are secrets. */
    readonly secretKeys: ReadonlySet<string>;
}

/** How secrets are treated while loading. */
export interface LoadOptions {
    /**
     * `apply` (the Pulumi program): secrets the stack needs must be set.
     * `render`: missing secrets are fine, placeholders stand in for them.
     */
    readonly mode: "apply" | "render";
}

/** Config keys that hold secrets, besides the hosts' private-key keys. */
export const SECRET_CONFIG_KEYS = ["cachixAuthToken", "cachixSigningKey"] as const;

const SECTION_KEYS = ["cache", "useCacheNixosOrg", "extraCaches", "github", "hosts", "mirror"] as const;

/**
 * Validates the whole stack configuration in one pass and returns the typed model.
 * Throws a {@link ConfigValidationError} listing every problem; nothing is created before.
 */
export function loadStackModel(raw: RawStackConfig, options: LoadOptions): StackModel {
    const problems = new Problems();
    const key = (name: string) => `${PROJECT_NAME}:${name}`;
    const secretState = (name: string): "secret" | "plain" | "missing" => {
        if (raw.values[key(name)] === undefined) {
            // When rendering, a placeholder stands in for a secret that is not set here.
            return options.mode === "render" ? "secret" : "missing";
        }
        return raw.secretKeys.has(key(name)) ? "secret" : "plain";
    };

    const section = <T>(name: string, read: (path: string, value: unknown) => T): T | undefined =>
        isAbsent(raw.values[key(name)]) ? undefined : read(key(name), raw.values[key(name)]);

    const cache = section("cache", (path, value) => readCacheSection(problems, path, value));
    if (isAbsent(raw.values[key("cache")])) {
        problems.add(key("cache"), "is required; expected an object with name and publicKeys");
    }
    const useCacheNixosOrg = section("useCacheNixosOrg", (path, value) => readBoolean(problems, path, value)) ?? true;
    const extraCaches = section("extraCaches", (path, value) => readExtraCaches(problems, path, value)) ?? [];
    const github = section("github", (path, value) => readGithubSection(problems, path, value));
    const { hosts, secretKeys: hostSecretKeys } = section("hosts", (path, value) =>
        readHostsSection(problems, path, value, secretState),
    ) ?? { hosts: [], secretKeys: [] };
    const mirror = section("mirror", (path, value) => readMirrorSection(problems, path, value, cache?.name));

    const knownKeys = new Set<string>([...SECTION_KEYS, ...SECRET_CONFIG_KEYS, ...hostSecretKeys]);
    for (const fullKey of Object.keys(raw.values)) {
        const [namespace, ...rest] = fullKey.split(":");
        const name = rest.join(":");
        if (namespace === PROJECT_NAME && !knownKeys.has(name)) {
            problems.add(fullKey, `unknown config key; expected one of: ${[...knownKeys].map(key).join(", ")}`);
        }
    }
    for (const name of SECRET_CONFIG_KEYS) {
        if (secretState(name) === "plain") {
            problems.add(key(name), `is set in plain text; set it with \`pulumi config set --secret ${name}\``);
        }
    }
    // cachix-action pushes to any cache with the auth token; a signing key is used in addition.
    const neededByCi = github === undefined ? [] : github.secret.credential === "authToken" ? ["cachixAuthToken"] : ["cachixAuthToken", "cachixSigningKey"];
    for (const needed of neededByCi) {
        if (secretState(needed) === "missing") {
            problems.add(key(needed), `is required by github.secret.credential ${describeValue(github!.secret.credential)}; set it with \`pulumi config set --secret ${needed}\``);
        }
    }
    if (cache?.private && hosts.length > 0 && secretState("cachixAuthToken") === "missing") {
        problems.add(key("cachixAuthToken"), "is required: the cache is private and hosts need a netrc token; set it with `pulumi config set --secret cachixAuthToken`");
    }
    problems.throwIfAny();

    return {
        cache: cache!,
        useCacheNixosOrg,
        extraCaches,
        github,
        hosts,
        mirror,
        secrets: {
            cachixAuthToken: raw.values[key("cachixAuthToken")] !== undefined,
            cachixSigningKey: raw.values[key("cachixSigningKey")] !== undefined,
        },
    };
}

/** Pulumi.yaml gives optional sections an empty default (`{}`), which means "not configured". */
function isAbsent(value: unknown): boolean {
    return value === undefined || value === "{}" || (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
}

function readBoolean(problems: Problems, path: string, value: unknown): boolean | undefined {
    if (value === undefined || typeof value === "boolean") {
        return value;
    }
    if (value === "true" || value === "false") {
        return value === "true";
    }
    problems.add(path, `expected true or false; got ${describeValue(value)}`);
    return undefined;
}
