import { cachixNameProblem, isCachixKeyNameFor, parseNixPublicKey } from "../identity/nixKeys";
import { CacheSpec, TrustedCacheSpec } from "./model";
import { Problems } from "./problems";
import { ObjectReader, readList, readObject, reportDuplicates, StringRule } from "./reader";

/** Substituter URLs: http(s), no whitespace; `file://` is accepted for local caches. */
export const substituterUrlRule: StringRule = (value) =>
    /^(https?:\/\/[^\s/?#]+(\/[^\s?#]*)?|file:\/\/\/[^\s]*)$/.test(value)
        ? undefined
        : "an https:// (or http://, file:///) URL without query or fragment";

const publicKeyRule: StringRule = (value) => {
    const parsed = parseNixPublicKey(value);
    return "error" in parsed ? parsed.error : undefined;
};

/** Reads `nix-cache:cache`. */
export function readCacheSection(problems: Problems, path: string, value: unknown): CacheSpec | undefined {
    const section = readObject(problems, path, value, ["name", "url", "publicKeys", "private"]);
    if (!section) {
        return undefined;
    }
    const name = section.requiredString("name", { rule: cachixNameProblem });
    const url = section.optionalString("url", { rule: substituterUrlRule });
    const publicKeys = readKeys(section, name);
    const isPrivate = section.optionalBoolean("private") ?? false;
    if (name === undefined || publicKeys === undefined) {
        return undefined;
    }
    return { name, url: url ?? cachixUrl(name), publicKeys, private: isPrivate };
}

/** Reads `nix-cache:extraCaches`: each item has a Cachix `name` or a `url`, plus `publicKeys`. */
export function readExtraCaches(problems: Problems, path: string, value: unknown): TrustedCacheSpec[] {
    const caches = readList(problems, path, value, {}, (itemPath, item) => readExtraCache(problems, itemPath, item)) ?? [];
    reportDuplicates(problems, path, caches, (c) => normaliseUrl(c.url), "cache URL");
    return caches;
}

function readExtraCache(problems: Problems, path: string, value: unknown): TrustedCacheSpec | undefined {
    const item = readObject(problems, path, value, ["name", "url", "publicKeys"]);
    if (!item) {
        return undefined;
    }
    const name = item.optionalString("name", { rule: cachixNameProblem });
    const url = item.optionalString("url", { rule: substituterUrlRule });
    if (!item.has("name") && !item.has("url")) {
        problems.add(path, "needs a Cachix `name` or a `url`");
    }
    const publicKeys = readKeys(item, name);
    if (publicKeys === undefined || (name === undefined && url === undefined)) {
        return undefined;
    }
    return name !== undefined
        ? { url: url ?? cachixUrl(name), publicKeys, cachixName: name }
        : { url: url as string, publicKeys };
}

/** Reads `publicKeys`; for a Cachix cache, every key must be named `NAME.cachix.org-N`. */
function readKeys(section: ObjectReader, cachixName: string | undefined): string[] | undefined {
    if (!section.has("publicKeys")) {
        section.problems.add(section.pathOf("publicKeys"), "is required; expected a list of KEYNAME:base64 public keys");
        return undefined;
    }
    const keys = section.stringList("publicKeys", { minItems: 1, rule: publicKeyRule });
    if (keys === undefined || cachixName === undefined) {
        return keys;
    }
    keys.forEach((key, index) => {
        const parsed = parseNixPublicKey(key);
        if (!("error" in parsed) && !isCachixKeyNameFor(cachixName, parsed.name)) {
            section.problems.add(
                `${section.pathOf("publicKeys")}[${index}]`,
                `key name "${parsed.name}" does not match the cache; expected "${cachixName}.cachix.org-N"`,
            );
        }
    });
    return keys;
}

/** `https://NAME.cachix.org`. */
export function cachixUrl(name: string): string {
    return `https://${name}.cachix.org`;
}

/** A URL without its trailing slashes, for comparing substituters. */
export function normaliseUrl(url: string): string {
    return url.replace(/\/+$/, "");
}
