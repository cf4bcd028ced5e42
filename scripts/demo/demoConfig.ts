import { ConfigMap } from "@pulumi/pulumi/automation";
import { loadStackModel, RawStackConfig } from "../../components/config/load";
import { PROJECT_NAME } from "../../components/config/model";

/** What the demo must know from the committed stack file before it starts anything. */
export interface DemoDeclaration {
    /** The binary cache's port on 127.0.0.1 (from `cache.url`). */
    readonly cachePort: number;
    /** The name of the cache's signing key, e.g. `demo.cachix.org-1`. */
    readonly cacheKeyName: string;
    /** The local Cachix's port on 127.0.0.1 (from `cache.apiUrl`), which describes the cache. */
    readonly cachixPort: number;
    /** The builder host's name and port on 127.0.0.1. */
    readonly hostName: string;
    readonly hostPort: number;
}

/** The values the demo generates, which replace the committed file's placeholders. */
export interface DemoValues {
    readonly hostKey: string;
    readonly nixConfDir: string;
    readonly privateKey: string;
}

const key = (name: string) => `${PROJECT_NAME}:${name}`;

/**
 * Reads the cache and the single host the demo serves from the committed stack file; throws
 * when they are not something the demo can start on this machine.
 */
export function readDemoDeclaration(raw: RawStackConfig): DemoDeclaration {
    const cache = raw.values[key("cache")] as { name?: string; url?: string; apiUrl?: string } | undefined;
    const hosts = raw.values[key("hosts")] as { name?: string; address?: string; port?: number }[] | undefined;
    const url = localUrl(cache?.url, "cache.url", "the demo serves the cache itself");
    const apiUrl = localUrl(cache?.apiUrl, "cache.apiUrl", "the demo serves the cache's Cachix itself");
    if (hosts?.length !== 1 || hosts[0].address !== "127.0.0.1" || typeof hosts[0].port !== "number" || hosts[0].name === undefined) {
        throw new Error("the demo starts one throwaway host: hosts must list exactly one, with address 127.0.0.1, a port and a name");
    }
    // The key is Cachix's (the local one's): named as Cachix names a cache's first key.
    return { cachePort: Number(url.port), cacheKeyName: `${cache?.name}.cachix.org-1`, cachixPort: Number(apiUrl.port), hostName: hosts[0].name, hostPort: hosts[0].port };
}

function localUrl(value: string | undefined, name: string, why: string): URL {
    const url = URL.canParse(value ?? "") ? new URL(value!) : undefined;
    if (url?.protocol !== "http:" || url.hostname !== "127.0.0.1" || url.port === "") {
        throw new Error(`${why}: ${name} must be http://127.0.0.1:PORT, not ${JSON.stringify(value)}`);
    }
    return url;
}

/**
 * The stack config the demo applies: the committed file with the generated values put in (the
 * cache's key is not one of them: the program reads it from the demo's local Cachix),
 * validated like any stack's (so a bad edit of the file fails here, before anything starts).
 */
export function demoConfig(raw: RawStackConfig, values: DemoValues): ConfigMap {
    const cache = raw.values[key("cache")] as Record<string, unknown>;
    const [host] = raw.values[key("hosts")] as Record<string, unknown>[];
    if (raw.secretKeys.size > 0) {
        throw new Error(`the demo makes its own secrets; remove the encrypted values from its stack file: ${[...raw.secretKeys].join(", ")}`);
    }
    // The demo pins the key of the host it starts.
    const pinned = { ...host };
    delete pinned.insecureSkipHostKeyVerification;
    const config: Record<string, unknown> = {
        ...raw.values,
        [key("cache")]: cache,
        [key("hosts")]: [{ ...pinned, hostKey: values.hostKey, nixConfDir: values.nixConfDir }],
        [key("sshPrivateKey")]: values.privateKey,
    };
    const secretKeys = new Set([key("sshPrivateKey")]);
    loadStackModel({ values: config, secretKeys }, { mode: "apply" });
    return Object.fromEntries(
        Object.entries(config).map(([name, value]) => [
            name,
            { value: typeof value === "string" ? value : JSON.stringify(value), secret: secretKeys.has(name) },
        ]),
    );
}
