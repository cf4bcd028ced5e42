/**
 * The file name of a cache's module, stable as long as its URL is: the name `cachix use` gives
 * it (its Cachix name), else its URL's host, port and path as one lowercase word
 * (`https://cache.example.org/a` is `cache-example-org-a`, `file:///srv/cache` is
 * `file-srv-cache`). Never empty, and never with a dot, which the trusted-users file has.
 */
export function cacheFileName(cache: { readonly url: string; readonly cachixName?: string }): string {
    if (cache.cachixName !== undefined) {
        return cache.cachixName;
    }
    const url = new URL(cache.url);
    const word = `${url.protocol === "file:" ? "file" : ""} ${url.host} ${url.pathname}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return word === "" ? "cache" : word;
}
