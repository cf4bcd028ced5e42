import { z } from "zod";
import { cachixNameProblem, isCachixKeyNameFor, parseNixPublicKey } from "../formats/nixKeys";
import { Rule } from "../formats/rule";
import { across, flag, list, noDuplicates, section, text } from "./fields";
import { describeValue } from "./redact";
import { normaliseUrl, urlProblem } from "../formats/urls";

/** A cache URL hosts substitute from: http(s) under any path, or a local `file:///` store. */
export const substituterUrlRule: Rule = (value) => urlProblem(value, { schemes: ["https", "http", "file"], path: true });

const publicKeyRule: Rule = (value) => {
    const parsed = parseNixPublicKey(value);
    return "error" in parsed ? parsed.error : undefined;
};

/** `publicKeys`: at least one `KEYNAME:base64` Ed25519 public key, none twice. */
const publicKeys = list(text([publicKeyRule]), { min: 1, required: "a list of KEYNAME:base64 public keys", description: "Ed25519 public keys, KEYNAME:base64" })
    .check(noDuplicates((key) => (typeof key === "string" ? key : undefined), "public key", (key) => `named ${describeValue(key.split(":")[0])}`));

const cachixName = (required?: string) => text([cachixNameProblem], { required, description: "Cachix cache name (a DNS label)" });

/** For a Cachix cache, every key must be named `NAME.cachix.org-N`. */
const keysMatchName = across((value, ctx) => {
    if (typeof value.name !== "string" || cachixNameProblem(value.name) !== undefined || !Array.isArray(value.publicKeys)) {
        return;
    }
    const name = value.name;
    value.publicKeys.forEach((key: unknown, index) => {
        const parsed = typeof key === "string" ? parseNixPublicKey(key) : undefined;
        if (parsed !== undefined && !("error" in parsed) && !isCachixKeyNameFor(name, parsed.name)) {
            ctx.addIssue({
                code: "custom",
                path: ["publicKeys", index],
                message: `key name ${describeValue(parsed.name)} does not match the cache; expected ${describeValue(`${name}.cachix.org-N`)}`,
                input: undefined,
            });
        }
    });
});

/**
 * Whether a private cache's netrc token may go to `url`: over https://, or over http:// to a
 * loopback address, where it never leaves the machine (a local proxy, a test cache). Over any
 * other http:// it would travel in the clear, and a file:/// store has no host for a netrc line.
 */
export function tokenTransportAllowed(url: string): boolean {
    if (url.startsWith("https://")) {
        return true;
    }
    if (!url.startsWith("http://")) {
        return false;
    }
    try {
        const host = new URL(url).hostname;
        return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
    } catch {
        return false;
    }
}

const privateOverHttps = across((value, ctx) => {
    if (value.private === true && typeof value.url === "string" && !tokenTransportAllowed(value.url)) {
        const message = `${describeValue(value.url)} is not valid for a private cache; expected an https:// URL, or http:// to a loopback address (the token must not travel in the clear)`;
        ctx.addIssue({ code: "custom", path: ["url"], message, input: undefined });
    }
});

/** Cachix's API, which the cache is read from and checked against unless `offline`. */
export const CACHIX_API_URL = "https://app.cachix.org/api/v1";

/** Tokens go to the API URL: https://, or http:// to a loopback address (a local server, tests). */
const apiUrlRule: Rule = (value) =>
    urlProblem(value, { schemes: ["https", "http"], path: true }) ??
    (tokenTransportAllowed(value) ? undefined : "an https:// URL, or http:// to a loopback address (tokens must not travel in the clear)");

/** The message when the keys must be in the stack because Cachix is not asked for them. */
export function keysNeededOffline(why: string): string {
    return `is required; expected a list of KEYNAME:base64 public keys (${why}, Cachix is not asked for them: copy them from the cache's page on Cachix)`;
}

const offlineNeedsKeys = across((value, ctx) => {
    if (value.offline === true && value.publicKeys === undefined) {
        ctx.addIssue({ code: "custom", path: ["publicKeys"], message: keysNeededOffline("with offline: true"), input: undefined });
    }
});

/** `nix-cache:cache`: the organisation's own Cachix cache. */
export const cacheSection = section(
    {
        name: cachixName("a string"),
        url: text([substituterUrlRule], { description: "Substituter URL; Cachix's (https://NAME.cachix.org) unless set" }).optional(),
        publicKeys: publicKeys.optional(),
        private: flag("Hosts get a netrc with cachixReadToken (or cachixAuthToken); the URL must be https:// (or http:// to a loopback address)").default(false),
        overrideUrl: flag("url differs from Cachix's on purpose (a proxy in front of it)").default(false),
        offline: flag("Do not ask Cachix: publicKeys are required and nothing is checked against the cache").default(false),
        apiUrl: text([apiUrlRule], { description: `Cachix's API or a compatible server's; ${CACHIX_API_URL} unless set` }).optional(),
        create: flag("Create the cache when Cachix says it does not exist (never deleted)").default(false),
    },
    { required: "an object with name and publicKeys (publicKeys may be left out: they are then read from Cachix)", description: "The organisation's Cachix cache", checks: [keysMatchName, privateOverHttps, offlineNeedsKeys] },
).transform((cache) => ({
    /** Cachix cache name, e.g. `atproto`. */
    name: cache.name,
    /** Substituter URL; `https://NAME.cachix.org` unless overridden (Cachix's `uri` replaces it at deploy). */
    url: cache.url ?? cachixUrl(cache.name),
    /** `url` was set in the stack, not derived from the name. */
    urlGiven: cache.url !== undefined,
    /** A `url` other than Cachix's is meant. */
    overrideUrl: cache.overrideUrl,
    /** Public keys (`NAME.cachix.org-N:base64`); empty when they are to be read from Cachix. */
    publicKeys: cache.publicKeys ?? [],
    /** A private cache needs a netrc with a token on every host that reads it. */
    private: cache.private,
    /** How the cache is read from Cachix. */
    cachix: {
        /** Cachix is not asked. */
        offline: cache.offline,
        /** Its API base URL. */
        apiUrl: cache.apiUrl ?? CACHIX_API_URL,
        /** Create the cache when missing. */
        create: cache.create,
    },
}));

/** An extra cache is a Cachix one by name, or any other by URL. */
const nameOrUrl = across((value, ctx) => {
    if (value.name === undefined && value.url === undefined) {
        ctx.addIssue({ code: "custom", message: "needs a Cachix `name` or a `url`", input: undefined });
    }
});

/** One of `nix-cache:extraCaches`: a Cachix `name` or any `url`, plus its `publicKeys`. */
const extraCache = section(
    {
        name: cachixName().optional(),
        url: text([substituterUrlRule]).optional(),
        publicKeys,
    },
    { description: "Another cache to trust: {name, publicKeys} for Cachix or {url, publicKeys}", checks: [keysMatchName, nameOrUrl] },
).transform(({ name, url, publicKeys: keys }) => ({
    /** Substituter URL. */
    url: url ?? cachixUrl(name as string),
    /** Its public keys. */
    publicKeys: keys,
    /** Set when it is a Cachix cache (CI pulls it through cachix-action's `extraPullNames`). */
    ...(name === undefined ? {} : { cachixName: name }),
}));

/** `nix-cache:extraCaches`: other caches hosts and CI trust, each URL once. */
export const extraCachesSection = list(extraCache, { description: "Other caches to trust" }).check(
    noDuplicates((cache: z.output<typeof extraCache>) => (typeof cache?.url === "string" ? normaliseUrl(cache.url) : undefined), "cache URL"),
);

/** `https://NAME.cachix.org`. */
export function cachixUrl(name: string): string {
    return `https://${name}.cachix.org`;
}
