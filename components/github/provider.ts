import { createPrivateKey } from "crypto";
import type * as Github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { github } from "./githubPackage";

/** The GitHub App credentials of `github:appAuth`, as the provider takes them. */
export interface GithubAppAuth {
    /** The App's id. */
    readonly id: string;
    /** The installation's id in the owner's account. */
    readonly installationId: string;
    /** The App's private key (PEM). */
    readonly pemFile: string;
}

/**
 * The App key as the provider parses it: PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub's download
 * holds). The provider reads only that form (`x509.ParsePKCS1PrivateKey`), so a PKCS#8 key
 * (`BEGIN PRIVATE KEY`, what OpenSSL 3 writes by default) is converted here; `\n` written
 * literally (a key set on one line) is read as a line break, as the provider does.
 */
export function pkcs1Pem(pem: string): string {
    const text = pem.replaceAll("\\n", "\n");
    if (!text.includes("-----BEGIN PRIVATE KEY-----")) {
        return text;
    }
    let key;
    try {
        key = createPrivateKey(text);
    } catch {
        throw new Error("github:appAuth.pemFile: a PKCS#8 key (BEGIN PRIVATE KEY) that does not parse; expected the App's RSA private key in PEM");
    }
    if (key.asymmetricKeyType !== "rsa") {
        throw new Error(`github:appAuth.pemFile: a ${key.asymmetricKeyType ?? "non-RSA"} key; GitHub App keys are RSA`);
    }
    return key.export({ type: "pkcs1", format: "pem" }).toString();
}

/** How the provider paces its requests: the GitHub provider's own config keys of the same names. */
export interface GithubProviderTuning {
    readonly writeDelayMs: number;
    readonly readDelayMs: number;
    readonly parallelRequests: boolean;
    readonly maxRetries?: number;
    readonly retryableErrors?: number[];
}

/**
 * The pacing when the stack sets none. The provider's own defaults (a 1 s pause after every
 * write, one request at a time) make a rotation of 40 repositories take 48 s; this workload
 * writes one secret per repository and one file per changed workflow, far below GitHub's
 * secondary limits, so writes go out at once and in parallel. `maxRetries` and
 * `retryableErrors` keep the provider's defaults (3 retries of 5xx answers).
 */
export const DEFAULT_TUNING: GithubProviderTuning = { writeDelayMs: 0, readDelayMs: 0, parallelRequests: true };

/** The raw `github:` config values of the tuning keys, as read (`undefined` when unset). */
export interface RawTuning {
    readonly writeDelayMs?: unknown;
    readonly readDelayMs?: unknown;
    readonly parallelRequests?: unknown;
    readonly maxRetries?: unknown;
    readonly retryableErrors?: unknown;
}

/** The tuning from the stack's `github:` keys over {@link DEFAULT_TUNING}; a bad value is an error naming the key. */
export function providerTuning(raw: RawTuning): GithubProviderTuning {
    const count = (key: keyof RawTuning, value: unknown): number | undefined => {
        if (value === undefined) {
            return undefined;
        }
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
            throw new Error(`github:${key}: expected a whole number of 0 or more, got ${JSON.stringify(value)}`);
        }
        return value;
    };
    if (raw.parallelRequests !== undefined && typeof raw.parallelRequests !== "boolean") {
        throw new Error(`github:parallelRequests: expected true or false, got ${JSON.stringify(raw.parallelRequests)}`);
    }
    const codes = raw.retryableErrors;
    if (codes !== undefined && !(Array.isArray(codes) && codes.every((c) => Number.isInteger(c) && (c as number) >= 100 && (c as number) <= 599))) {
        throw new Error(`github:retryableErrors: expected a list of HTTP status codes (100-599), got ${JSON.stringify(codes)}`);
    }
    const maxRetries = count("maxRetries", raw.maxRetries);
    return {
        writeDelayMs: count("writeDelayMs", raw.writeDelayMs) ?? DEFAULT_TUNING.writeDelayMs,
        readDelayMs: count("readDelayMs", raw.readDelayMs) ?? DEFAULT_TUNING.readDelayMs,
        parallelRequests: (raw.parallelRequests as boolean | undefined) ?? DEFAULT_TUNING.parallelRequests,
        ...(maxRetries === undefined ? {} : { maxRetries }),
        ...(codes === undefined ? {} : { retryableErrors: codes as number[] }),
    };
}

/**
 * A provider bound to the configured owner, with the GitHub provider's own config keys: a
 * token (`github:token`, else `GITHUB_TOKEN`), or GitHub App credentials (`github:appAuth`:
 * `{id, installationId, pemFile}`, set as a secret), `github:baseUrl`, and the pacing keys
 * (`github:writeDelayMs`, `readDelayMs`, `parallelRequests`, `maxRetries`, `retryableErrors`;
 * see {@link DEFAULT_TUNING}). An explicit provider does not read the `github:` namespace by
 * itself, so each key is passed on here.
 */
export function githubProvider(name: string, owner: string, parent: pulumi.Resource): Github.Provider {
    const config = new pulumi.Config("github");
    const appAuth = config.getSecretObject<GithubAppAuth>("appAuth")?.apply((auth) => ({ ...auth, pemFile: pkcs1Pem(auth.pemFile) }));
    const raw = (key: keyof RawTuning): unknown => {
        const text = config.get(key);
        if (text === undefined) {
            return undefined;
        }
        try {
            return JSON.parse(text) as unknown;
        } catch {
            return text;
        }
    };
    const tuning = providerTuning({
        writeDelayMs: raw("writeDelayMs"),
        readDelayMs: raw("readDelayMs"),
        parallelRequests: raw("parallelRequests"),
        maxRetries: raw("maxRetries"),
        retryableErrors: raw("retryableErrors"),
    });
    return new github.Provider(
        `${name}-provider`,
        { owner, token: config.getSecret("token"), baseUrl: config.get("baseUrl"), ...tuning, ...(appAuth === undefined ? {} : { appAuth }) },
        { parent },
    );
}
