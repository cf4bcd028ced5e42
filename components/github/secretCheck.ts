import { GithubSpec } from "../config/model";
import { SecretPlacement, secretPlacements } from "./secretPlacements";

/**
 * What `verify` reports about the stack's Actions secrets. GitHub never returns a secret's
 * value, and a plain `pulumi up` trusts the state, so a secret deleted outside the stack stays
 * missing until `pulumi up --refresh` (the provider's read drops the 404 secret from the state
 * and the update sets it again). Each declared secret's metadata is one GET.
 */
export interface GithubVerdict {
    /** `ok`: every secret is there; `missing`; `skipped`: no token; `error`: GitHub did not answer as expected. */
    readonly status: "ok" | "missing" | "skipped" | "error";
    /** One line per missing secret or problem, then the repair command. */
    readonly details: readonly string[];
}

/** The command that sets missing secrets again. */
export function secretRepairCommand(stack: string): string {
    return `pulumi up --refresh --stack ${stack}`;
}

/**
 * The REST root the GitHub provider uses for `github:baseUrl`: api.github.com as given, any
 * other host as GitHub Enterprise Server, under `/api/v3`.
 */
export function githubApiRoot(baseUrl: string | undefined): string {
    const url = new URL(baseUrl ?? "https://api.github.com/");
    const path = url.pathname.replace(/\/+$/, "");
    const root = url.hostname.startsWith("api.") || path.endsWith("/api/v3") ? path : `${path}/api/v3`;
    return `${url.origin}${root}`;
}

/** The metadata endpoint of one secret (relative to the REST root) and how the report names it. */
export function secretEndpoint(owner: string, placement: SecretPlacement): { endpoint: string; label: string } {
    const name = encodeURIComponent(placement.name);
    const repo = (repository: string): string => `repos/${encodeURIComponent(owner)}/${encodeURIComponent(repository)}`;
    switch (placement.scope) {
        case "repository":
            return { endpoint: `${repo(placement.repository)}/actions/secrets/${name}`, label: `repository ${owner}/${placement.repository}: secret ${placement.name}` };
        case "organization":
            return { endpoint: `orgs/${encodeURIComponent(owner)}/actions/secrets/${name}`, label: `organization ${owner}: secret ${placement.name}` };
        case "environment":
            return {
                endpoint: `${repo(placement.repository)}/environments/${encodeURIComponent(placement.environment)}/secrets/${name}`,
                label: `environment ${placement.environment} of ${owner}/${placement.repository}: secret ${placement.name}`,
            };
    }
}

/** Options of {@link githubVerdict}. */
export interface GithubCheckOptions {
    /** The stack's `github:baseUrl` (github.com when unset). */
    readonly baseUrl?: string;
    /** A token that may read the secrets' metadata; without one nothing is asked. */
    readonly token?: string;
    readonly timeoutMs?: number;
}

/** Asks GitHub for each secret the stack declares; never throws for GitHub's answers. Messages hold no token. */
export async function githubVerdict(stack: string, spec: GithubSpec, options: GithubCheckOptions): Promise<GithubVerdict> {
    if (options.token === undefined || options.token === "") {
        return { status: "skipped", details: ["GITHUB_TOKEN is not set: the stack's Actions secrets are not checked"] };
    }
    const root = githubApiRoot(options.baseUrl);
    const checks = secretPlacements(spec).map((placement) => secretEndpoint(spec.owner, placement));
    const answers = await Promise.all(checks.map((check) => statusOf(`${root}/${check.endpoint}`, options.token!, options.timeoutMs ?? 30_000)));
    const missing = checks.filter((_, i) => answers[i] === 404).map((check) => `${check.label} is missing`);
    const failed = checks.flatMap((check, i) => {
        const answer = answers[i];
        if (answer === 200 || answer === 404) {
            return [];
        }
        return [typeof answer === "number" ? `${check.label}: GitHub answered ${answer} to GET ${check.endpoint}` : `${check.label}: no answer to GET ${check.endpoint} (${answer})`];
    });
    if (missing.length > 0) {
        return { status: "missing", details: [...missing, ...failed, `set them again with: ${secretRepairCommand(stack)}`] };
    }
    return failed.length > 0 ? { status: "error", details: failed } : { status: "ok", details: [`${checks.length} secret(s) in place`] };
}

async function statusOf(url: string, token: string, timeoutMs: number): Promise<number | string> {
    try {
        const response = await fetch(url, {
            headers: { Authorization: `Bearer ${token}`, Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" },
            signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
        return response.status;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
}
