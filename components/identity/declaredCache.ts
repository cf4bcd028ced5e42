import { CacheSpec } from "../config/model";
import { DeclaredCache } from "./cachixChecks";

/** The part of the stack's cache Cachix can contradict. */
export function declaredCache(cache: CacheSpec): DeclaredCache {
    return { name: cache.name, url: cache.url, urlGiven: cache.urlGiven, overrideUrl: cache.overrideUrl, publicKeys: cache.publicKeys, private: cache.private };
}
