import { parseAddress } from "./addresses";
import { absolutePathRule, MAX_NAME_LENGTH } from "./paths";

/** The longest URL accepted; longer ones are not cache addresses, and strain every file they go into. */
export const MAX_URL_LENGTH = 2048;

/** The schemes one URL field accepts. */
export type UrlScheme = "https" | "http" | "file";

/** Options of {@link urlProblem}. */
export interface UrlOptions {
    /** Schemes allowed for this use. */
    readonly schemes: readonly UrlScheme[];
    /** A path after the host is allowed (a cache under a prefix); not for a bare endpoint. */
    readonly path: boolean;
}

/**
 * Characters a URL field may hold: the URL itself is copied into nix.conf (where `#` starts a
 * comment and whitespace separates values), a NixOS module, shell scripts and the workflow
 * (where `${{` is an expression); so no whitespace, quote, `#`, `?`, `&`, `$`, braces or
 * backslash, and no credentials (`@`).
 */
const URL_CHARACTERS = /^[A-Za-z0-9._~:/%[\]+=-]+$/;

/**
 * Parses a URL fully: scheme for this use, a host that parses (IPv6 in brackets), a port,
 * and for `file:` an absolute normalised path. Returns what was expected when it is wrong.
 * Nothing after validation parses a URL that passed here and fails.
 */
export function urlProblem(value: string, options: UrlOptions): string | undefined {
    const schemes = options.schemes.map((s) => (s === "file" ? "file:///" : `${s}://`));
    const listed = schemes.length > 1 ? `${schemes.slice(0, -1).join(", ")} or ${schemes[schemes.length - 1]}` : schemes[0];
    const expected = `an ${listed} URL without ${options.path ? "" : "a path, "}credentials, query or fragment`;
    const scheme = /^([a-z]+):/.exec(value)?.[1] as UrlScheme | undefined;
    if (scheme === undefined || !options.schemes.includes(scheme) || !URL_CHARACTERS.test(value)) {
        return expected;
    }
    if (value.length > MAX_URL_LENGTH) {
        return `${expected}, at most ${MAX_URL_LENGTH} characters`;
    }
    if (scheme === "file") {
        return value.startsWith("file:///") && absolutePathRule(value.slice("file://".length)) === undefined ? undefined : expected;
    }
    const match = /^https?:\/\/(\[[^\]/]*\]|[^:/[\]]+)(?::(\d{1,5}))?(\/.*)?$/.exec(value);
    if (!match) {
        return expected;
    }
    const [, host, port, rest] = match;
    const address = parseAddress(host.startsWith("[") ? host.slice(1, -1) : host);
    if ("error" in address || (address.kind === "ipv6") !== host.startsWith("[")) {
        return `${expected}; its host must be a hostname, IPv4 address or [IPv6] address`;
    }
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
        return `${expected}; its port must be from 1 to 65535`;
    }
    if (rest !== undefined && rest !== "/" && !options.path) {
        return expected;
    }
    if (rest !== undefined && (rest.includes("//") || rest.split("/").some((s) => s === "." || s === ".." || /%2e/i.test(s)))) {
        return `${expected}; its path must be in normal form (no '.', '..' or '//')`;
    }
    if (rest !== undefined && rest.split("/").some((s) => s.length > MAX_NAME_LENGTH)) {
        return `${expected}; each part of its path at most ${MAX_NAME_LENGTH} characters`;
    }
    try {
        new URL(value);
    } catch {
        return expected;
    }
    return undefined;
}

/** A URL without its trailing slashes, for comparing substituters. */
export function normaliseUrl(url: string): string {
    return url.replace(/\/+$/, "");
}
