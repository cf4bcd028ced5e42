import { z } from "zod";
import * as names from "../formats/names";
import { cacheSection, extraCachesSection } from "./cacheSection";
import { isSecretSlot } from "./documentRules";
import { across, flag } from "./fields";
import { describeKey } from "./redact";
import { githubSection } from "./githubSection";
import { DEFAULT_PRIVATE_KEY_CONFIG, hostsSection } from "./hostsSection";
import { mirrorSection, mirrorStackRules } from "./mirrorSection";
import { PROJECT_NAME } from "./projectName";
import { missingSecrets } from "./requiredSecrets";
import { EXPRESSION_MESSAGE, expressionPaths } from "./workflowValues";

/** How a secret is in the stack file (`secure: CIPHERTEXT`); the program never sees its value here. */
export function secretSlot(name: string) {
    const error = () => `is set in plain text; set it with \`pulumi config set --secret ${name}\``;
    return z.strictObject({ secure: z.string({ error }) }, { error }).meta({ description: `Secret, set with pulumi config set --secret ${name}` });
}

/** The sections of a stack: its keys that are not secrets, and the components' arguments of the same names. */
export const STACK_SECTIONS = {
    cache: cacheSection,
    useCacheNixosOrg: flag("Trust cache.nixos.org, first in every list (true unless set)").default(true),
    extraCaches: extraCachesSection.default([]),
    github: githubSection.optional(),
    hosts: hostsSection.default([]),
    mirror: mirrorSection.optional(),
};

/** The top-level keys of a stack and their schemas; `nix-cache:KEY` in the stack file. */
export const STACK_KEYS = {
    ...STACK_SECTIONS,
    cachixAuthToken: secretSlot("cachixAuthToken").optional(),
    cachixSigningKey: secretSlot("cachixSigningKey").optional(),
    cachixReadToken: secretSlot("cachixReadToken").optional(),
    // Known even with no host using it, so that removing the hosts does not make it a typo.
    [DEFAULT_PRIVATE_KEY_CONFIG]: secretSlot(DEFAULT_PRIVATE_KEY_CONFIG).optional(),
};

/** Options of {@link stackSchema}. */
export interface StackSchemaOptions {
    /**
     * Secrets the stack uses must be set (`pulumi up`); without it (`render`), placeholders
     * stand in for missing ones.
     */
    readonly secretsRequired: boolean;
}

type SecretState = "secret" | "plain" | "missing";

/**
 * The whole stack: its config keys, un-namespaced (`cache` for `nix-cache:cache`), as one
 * object, validated in one pass and turned into the model every component consumes.
 */
export function stackSchema(options: StackSchemaOptions) {
    return z
        .preprocess(
            withoutEmptySections,
            // The check goes on the object itself: zod skips those on a wrapper once a field failed.
            z.looseObject(STACK_KEYS, { error: () => "expected the stack's config keys" }).check(
                stackRules(options.secretsRequired),
            ),
        )
        .transform((doc) => ({
            /** The organisation's cache. */
            cache: doc.cache,
            /** Trust cache.nixos.org (first in every list). */
            useCacheNixosOrg: doc.useCacheNixosOrg,
            /** Other caches to trust, in config order. */
            extraCaches: doc.extraCaches,
            /** GitHub CI, when configured. */
            github: doc.github,
            /** Builder hosts. */
            hosts: doc.hosts,
            /** The S3 mirror, when enabled; its key is named after the cache unless set. */
            mirror: doc.mirror === undefined
                ? undefined
                : { ...doc.mirror, keyName: doc.mirror.keyName ?? `${doc.cache.name}-mirror-1`, skipUpstreamPaths: doc.mirror.skipUpstreamPaths ?? doc.useCacheNixosOrg },
            /** Which secrets are set. */
            secrets: {
                /** `nix-cache:cachixAuthToken` is set (as a secret). */
                cachixAuthToken: doc.cachixAuthToken !== undefined,
                /** `nix-cache:cachixSigningKey` is set (as a secret). */
                cachixSigningKey: doc.cachixSigningKey !== undefined,
                /** `nix-cache:cachixReadToken` is set (as a secret): hosts read a private cache with it. */
                cachixReadToken: doc.cachixReadToken !== undefined,
            },
        }));
}

/** Rules across sections: unknown keys, the secrets the stack uses, what a private cache needs. */
function stackRules(secretsRequired: boolean) {
    const known = Object.keys(STACK_KEYS);
    return across((doc, ctx) => {
        const state = (key: string): SecretState => {
            const value = Object.hasOwn(doc, key) ? doc[key] : undefined;
            if (value === undefined) {
                return secretsRequired ? "missing" : "secret";
            }
            return isSecretSlot(value) ? "secret" : "plain";
        };
        const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message, input: undefined });
        const hostKeys = hostKeyNames(doc.hosts);
        const allowed = [...known, ...hostKeys.map((h) => h.configKey)];
        for (const key of Object.keys(doc)) {
            if (!allowed.includes(key)) {
                issue([key], `unknown config key; expected one of: ${[...new Set(allowed)].map((k) => `${PROJECT_NAME}:${describeKey(k)}`).join(", ")}`);
            }
        }
        for (const { index, configKey } of hostKeys) {
            // A known key's own schema already says when it is in plain text.
            if (state(configKey) === "plain" && !Object.hasOwn(STACK_KEYS, configKey)) {
                issue(["hosts", index, "privateKeySecret"], hostKeyMessage(configKey, "is set in plain text"));
            }
        }
        const needs = {
            githubCredential: githubCredential(doc.github),
            privateCache: (doc.cache as { private?: unknown } | undefined)?.private === true,
            hostKeys: hostKeys.map((h) => h.configKey),
            // A secret in plain text is reported by its own schema, not as missing too.
            given: (key: string) => state(key) !== "missing",
        };
        const missing = missingSecrets(needs);
        // The hosts' first, as their entries come before the secrets in a message.
        for (const { key, neededBy, hostIndex } of [...missing.filter((m) => m.neededBy === "host"), ...missing.filter((m) => m.neededBy !== "host")]) {
            if (neededBy === "host") {
                issue(["hosts", hostKeys[hostIndex!].index, "privateKeySecret"], hostKeyMessage(key, "is not set"));
            } else if (neededBy === "github") {
                issue([key], `is required by github.secret.credential ${JSON.stringify(needs.githubCredential)}; set it with \`pulumi config set --secret ${key}\``);
            } else {
                issue([key], "is required: the cache is private and hosts need a netrc token; set a read-only one as cachixReadToken " +
                    "(or this one) with `pulumi config set --secret cachixReadToken`");
            }
        }
        // A value its own field already refused is reported once, by that field.
        const refused = new Set(((ctx as { issues?: { path?: PropertyKey[] }[] }).issues ?? []).map((i) => JSON.stringify(i.path ?? [])));
        for (const path of expressionPaths(doc).filter((p) => !refused.has(JSON.stringify(p)))) {
            issue(path, EXPRESSION_MESSAGE);
        }
        mirrorStackRules(doc, issue);
    });
}

/** What a host is told about its SSH private key's config key. */
function hostKeyMessage(configKey: string, how: string): string {
    return `the SSH private key ${PROJECT_NAME}:${describeKey(configKey)} ${how}; expected it set with ` +
        `\`pulumi config set --secret ${describeKey(configKey)} < KEYFILE\` (or sshAgent: true)`;
}

/**
 * The secret config keys the hosts log in with, read from each host whether or not the rest
 * of it is valid: a host whose address is wrong still needs its key.
 */
function hostKeyNames(hosts: unknown): { index: number; configKey: string }[] {
    if (!Array.isArray(hosts)) {
        return [];
    }
    return hosts.flatMap((host: unknown, index) => {
        if (typeof host !== "object" || host === null) {
            return [];
        }
        const parsed = (host as { auth?: { kind: string; configKey?: string } }).auth;
        if (parsed !== undefined) {
            return parsed.kind === "privateKey" ? [{ index, configKey: parsed.configKey as string }] : [];
        }
        const raw = host as { sshAgent?: unknown; sshAgentSocket?: unknown; privateKeySecret?: unknown };
        const agent = (raw.sshAgent !== undefined && raw.sshAgent !== null && raw.sshAgent !== false && raw.sshAgent !== "false") ||
            (raw.sshAgentSocket !== undefined && raw.sshAgentSocket !== null);
        const configKey = typeof raw.privateKeySecret === "string" && names.configKey.pattern.test(raw.privateKeySecret)
            ? raw.privateKeySecret
            : DEFAULT_PRIVATE_KEY_CONFIG;
        return agent ? [] : [{ index, configKey }];
    });
}

/** The Cachix credential CI uses, when the github section names a usable one. */
function githubCredential(github: unknown): "authToken" | "signingKey" | undefined {
    if (typeof github !== "object" || github === null) {
        return undefined;
    }
    const credential = (github as { secret?: { credential?: unknown } }).secret?.credential ?? "authToken";
    return credential === "authToken" || credential === "signingKey" ? credential : undefined;
}

/** Pulumi.yaml gives optional sections an empty default (`{}`), which means "not configured". */
export function withoutEmptySections(doc: unknown): unknown {
    if (typeof doc !== "object" || doc === null) {
        return doc;
    }
    const empty = (value: unknown) =>
        value === null || value === "{}" || (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
    return Object.fromEntries(Object.entries(doc).filter(([, value]) => !empty(value)));
}
