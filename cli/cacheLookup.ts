import * as http from "http";
import * as https from "https";
import { normaliseUrl } from "../components/formats/urls";
import { LookupResult, parseNarInfo, storePathHash } from "./narinfo";
import { lookupWithNix } from "./storeQuery";

/** The netrc passwords by machine name (`machine HOST [login L] password P`), as curl reads them. */
export function parseNetrc(text: string): Map<string, { login: string; password: string }> {
    const words = text.split(/\s+/).filter((w) => w.length > 0);
    const machines = new Map<string, { login: string; password: string }>();
    let machine: string | undefined;
    let login = "";
    const flush = (password: string | undefined) => {
        if (machine !== undefined && password !== undefined && !machines.has(machine)) {
            machines.set(machine, { login, password });
        }
    };
    let password: string | undefined;
    for (let i = 0; i < words.length; i++) {
        const word = words[i];
        if (word === "machine" || word === "default") {
            flush(password);
            machine = word === "machine" ? words[++i] : "";
            login = "";
            password = undefined;
        } else if (word === "login") {
            login = words[++i] ?? "";
        } else if (word === "password") {
            password = words[++i];
        }
    }
    flush(password);
    return machines;
}

/** The `Authorization` header Nix (curl with a netrc) sends to `url`, if the netrc has its host. */
export function netrcAuthorization(url: string, netrc: ReadonlyMap<string, { login: string; password: string }>): string | undefined {
    if (!/^https?:\/\//.test(url)) {
        return undefined;
    }
    const entry = netrc.get(new URL(url).hostname) ?? netrc.get("");
    return entry === undefined ? undefined : `Basic ${Buffer.from(`${entry.login}:${entry.password}`).toString("base64")}`;
}

/**
 * Asks the cache at `url` for the narinfo of `storePath`, as Nix does (`GET URL/HASH.narinfo`,
 * the netrc's credentials as Basic auth). Any other store (`file://`, `s3://` with the AWS
 * credentials of the environment) is asked through Nix itself. The credentials never appear
 * in the result.
 */
export async function lookupNarInfo(url: string, storePath: string, authorization?: string, timeoutMs = 20000): Promise<LookupResult> {
    const hash = storePathHash(storePath);
    if (hash === undefined) {
        return { kind: "error", reason: `not a store path: ${storePath}` };
    }
    if (!/^https?:\/\//.test(url)) {
        return lookupWithNix(url, storePath);
    }
    // Store parameters (`?priority=40`) are for Nix, not part of the cache's paths.
    const parsed = new URL(url);
    const base = normaliseUrl(`${parsed.origin}${parsed.pathname}`);
    let response: { status: number; body: string };
    try {
        response = await httpGet(`${base}/${hash}.narinfo`, authorization === undefined ? {} : { Authorization: authorization }, timeoutMs);
    } catch (error) {
        return { kind: "error", reason: `${base} did not answer (${(error as { code?: string }).code ?? (error instanceof Error ? error.message : "error")})` };
    }
    const { status, body } = response;
    if (status === 404 || (status === 403 && body.includes("NoSuchKey"))) {
        return { kind: "absent" };
    }
    if (status === 401 || status === 403) {
        const how = authorization === undefined ? "no netrc entry for its host was given" : "the netrc's token was refused";
        return { kind: "error", reason: `${base} answered ${status}: ${how}` };
    }
    if (status < 200 || status > 299) {
        return { kind: "error", reason: `${base} answered ${status}` };
    }
    return present(body);
}

// Node's http rather than fetch: fetch refuses ports browsers block, which a cache may use.
function httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
    const client = url.startsWith("https://") ? https : http;
    return new Promise((resolve, reject) => {
        const request = client.get(url, { headers, timeout: timeoutMs }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
            response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
        request.on("error", reject);
    });
}

function present(text: string): LookupResult {
    const info = parseNarInfo(text);
    return info === undefined ? { kind: "error", reason: "the cache's narinfo lacks StorePath, NarHash or NarSize" } : { kind: "present", info };
}

/** Runs `work` on every item with at most `limit` at a time; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>, onDone?: () => void): Promise<R[]> {
    const results: R[] = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
            onDone?.();
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}
