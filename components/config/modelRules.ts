/**
 * Rules on the validated model that need what the stack derives from it: checked with the same
 * functions that render the files, so render never refuses a stack validation accepted.
 */
import { cacheFileName } from "../formats/cacheFileName";
import { MAX_NAME_LENGTH } from "../formats/paths";
import { mirrorSubstituterUrl } from "../formats/s3Urls";
import { normaliseUrl } from "../formats/urls";
import { cachixUrl } from "./cacheSection";
import { DocumentIssue } from "./documentRules";
import { StackModel, TrustedCacheSpec } from "./model";
import { CACHE_NIXOS_ORG, trustedCaches } from "./trustedCaches";
import { describeValue } from "./redact";

/**
 * NixOS hosts get one module file per cache, `/etc/nixos/cachix/NAME.nix`, named after the
 * cache (see {@link cacheFileName}): two caches must not share a name, and a name must fit a
 * file name.
 */
export function nixosCacheFileIssues(model: StackModel): DocumentIssue[] {
    if (!model.hosts.some((host) => host.kind === "nixos")) {
        return [];
    }
    const sources = cacheSources(model);
    const sourceOf = (url: string) => sources.find((s) => normaliseUrl(s.url) === normaliseUrl(url))?.path ?? [];
    const issues: DocumentIssue[] = [];
    const byName = new Map<string, string>();
    for (const cache of trustedCaches(model, mirrorCacheUrls(model)).caches.filter((c) => c.url !== CACHE_NIXOS_ORG.url)) {
        const file = `${cacheFileName(cache)}.nix`;
        const other = byName.get(file);
        if (file.length > MAX_NAME_LENGTH) {
            issues.push({ path: sourceOf(cache.url), message: `would be written to a NixOS module file name of ${file.length} characters; expected a URL whose host and path make at most ${MAX_NAME_LENGTH - 4}` });
        } else if (other !== undefined) {
            issues.push({
                path: sourceOf(cache.url),
                message: `${describeValue(cache.url)} would be written to /etc/nixos/cachix/${file} on NixOS hosts, as ${describeValue(other)} is; expected a URL (or Cachix name) of its own`,
            });
        }
        byName.set(file, cache.url);
    }
    return issues;
}

/** Where each cache a host trusts is configured, by its URL. */
function cacheSources(model: StackModel): { url: string; path: PropertyKey[] }[] {
    const mirrorKey = model.mirror?.publicUrl !== undefined ? "publicUrl" : model.mirror?.endpoint !== undefined ? "endpoint" : "bucket";
    return [
        { url: model.cache.url, path: ["cache", model.cache.url === cachixUrl(model.cache.name) ? "name" : "url"] },
        ...model.extraCaches.map((cache, index) => ({ url: cache.url, path: ["extraCaches", index, cache.cachixName === undefined ? "url" : "name"] })),
        ...mirrorCacheUrls(model).map((cache) => ({ url: cache.url, path: ["mirror", mirrorKey] })),
    ];
}

/** The mirror as the caches hosts trust list it: its module file is named after its URL, whatever its keys. */
function mirrorCacheUrls(model: StackModel): TrustedCacheSpec[] {
    return model.mirror === undefined ? [] : [{ url: mirrorSubstituterUrl(model.mirror), publicKeys: [] }];
}
