import { CacheSpec } from "../config/model";

/** The netrc a host needs to read a private cache: `machine HOST password TOKEN`. */
export function renderNetrc(cache: Pick<CacheSpec, "url">, token: string): string {
    return `machine ${new URL(cache.url).hostname} password ${token}\n`;
}
