import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { exitCodeOf, formatVerdicts, verifyReport } from "../../cli/verify";
import { githubApiRoot, secretEndpoint } from "../../components/github/secretCheck";
import { LocalGithub, startLocalGithub } from "../../scripts/localhost/githubApi";
import { ATPROTO_KEY } from "../support/config";

/**
 * `verify` asks GitHub (here the local model of its REST API) for each Actions secret the stack
 * declares, and names a missing one with the command that sets it again.
 */

const TOKEN = "ghp_local_verify_token";
const OWNER = "atproto-nix";
let github: LocalGithub;
let stacksDir: string;

beforeAll(async () => {
    github = await startLocalGithub({ owner: OWNER, token: TOKEN });
    for (const name of ["nur", "infra"]) {
        github.addRepository(name);
    }
    stacksDir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-github-"));
});

afterAll(async () => {
    await github.close();
    fs.rmSync(stacksDir, { recursive: true, force: true });
});

/** Writes stack `name` with a `github` section (`secret` as given) and no hosts, against the model. */
function writeStack(name: string, secret: Record<string, unknown>): void {
    const config = {
        "nix-cache:cache": { name: "atproto", offline: true, publicKeys: [ATPROTO_KEY] },
        "nix-cache:github": { owner: OWNER, repositories: [{ name: "nur" }, { name: "infra" }], secret },
        "nix-cache:cachixAuthToken": { secure: "v1:ciphertext-never-read" },
        "github:baseUrl": github.baseUrl,
    };
    fs.writeFileSync(path.join(stacksDir, `Pulumi.${name}.yaml`), stringify({ config }));
}

/** Sets a secret on the model as the provider's PUT would (the value never matters to verify). */
async function put(endpoint: string): Promise<void> {
    const response = await fetch(`${github.apiUrl}/${endpoint}`, { method: "PUT", headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ encrypted_value: "x", key_id: "local-key", visibility: "private" }) });
    expect(response.status).toBe(201);
}

describe("verify: the stack's Actions secrets, asked of GitHub", () => {
    it("reports each missing repository secret by name, with the one repair command, and exits 1; all in place: ok", async () => {
        writeStack("repo", { scope: "repository", credential: "signingKey" });
        await put(`repos/${OWNER}/nur/actions/secrets/CACHIX_AUTH_TOKEN`);
        await put(`repos/${OWNER}/nur/actions/secrets/CACHIX_SIGNING_KEY`);
        await put(`repos/${OWNER}/infra/actions/secrets/CACHIX_SIGNING_KEY`);
        const before = github.requests.length;
        const report = await verifyReport("repo", { stacksDir, githubToken: TOKEN });
        // One GET per declared secret, nothing else.
        expect(github.requests.slice(before).sort()).toEqual(
            ["nur", "infra"].flatMap((r) => ["CACHIX_AUTH_TOKEN", "CACHIX_SIGNING_KEY"].map((s) => `GET /api/v3/repos/${OWNER}/${r}/actions/secrets/${s} ${r === "infra" && s === "CACHIX_AUTH_TOKEN" ? 404 : 200}`)).sort(),
        );
        expect(report.github).toEqual({
            status: "missing",
            details: [`repository ${OWNER}/infra: secret CACHIX_AUTH_TOKEN is missing`, "set them again with: pulumi up --refresh --stack repo"],
        });
        expect(formatVerdicts(report.hosts, report.cachix, report.github)).toMatch(/^GITHUB\s+missing\n\s+- repository atproto-nix\/infra: secret CACHIX_AUTH_TOKEN is missing$/m);
        expect(exitCodeOf(report.hosts, report.cachix, report.github)).toBe(1);

        await put(`repos/${OWNER}/infra/actions/secrets/CACHIX_AUTH_TOKEN`);
        const fixed = await verifyReport("repo", { stacksDir, githubToken: TOKEN });
        expect(fixed.github).toEqual({ status: "ok", details: ["4 secret(s) in place"] });
        expect(exitCodeOf(fixed.hosts, fixed.cachix, fixed.github)).toBe(0);
    });

    it("an organisation secret and environment secrets: their own endpoints", async () => {
        writeStack("org", { scope: "organization", visibility: "private" });
        expect((await verifyReport("org", { stacksDir, githubToken: TOKEN })).github?.details[0]).toBe(`organization ${OWNER}: secret CACHIX_AUTH_TOKEN is missing`);
        await put(`orgs/${OWNER}/actions/secrets/CACHIX_AUTH_TOKEN`);
        expect((await verifyReport("org", { stacksDir, githubToken: TOKEN })).github?.status).toBe("ok");

        writeStack("env", { scope: "environment", environment: "cachix" });
        github.repositories.get("nur")!.environments.set("cachix", new Map());
        const report = await verifyReport("env", { stacksDir, githubToken: TOKEN });
        // The environment missing in infra is a 404 too: the secret is not there.
        expect(report.github?.details).toEqual([
            `environment cachix of ${OWNER}/nur: secret CACHIX_AUTH_TOKEN is missing`,
            `environment cachix of ${OWNER}/infra: secret CACHIX_AUTH_TOKEN is missing`,
            "set them again with: pulumi up --refresh --stack env",
        ]);
    });

    it("without a token: skipped, with a line saying so, nothing asked; a token GitHub refuses: an error, not counted as missing", async () => {
        writeStack("anon", { scope: "repository" });
        const before = github.requests.length;
        const skipped = await verifyReport("anon", { stacksDir });
        expect(skipped.github).toEqual({ status: "skipped", details: ["GITHUB_TOKEN is not set: the stack's Actions secrets are not checked"] });
        expect(github.requests.length).toBe(before);
        expect(exitCodeOf(skipped.hosts, skipped.cachix, skipped.github)).toBe(0);

        const refused = await verifyReport("anon", { stacksDir, githubToken: "ghp_wrong" });
        expect(refused.github?.status).toBe("error");
        expect(refused.github?.details[0]).toBe(`repository ${OWNER}/nur: secret CACHIX_AUTH_TOKEN: GitHub answered 401 to GET repos/${OWNER}/nur/actions/secrets/CACHIX_AUTH_TOKEN`);
        expect(JSON.stringify(refused)).not.toContain("ghp_wrong");
    });

    it("githubApiRoot: api.github.com as given, another host under /api/v3; secretEndpoint escapes names", () => {
        expect(githubApiRoot(undefined)).toBe("https://api.github.com");
        expect(githubApiRoot("https://api.github.com/")).toBe("https://api.github.com");
        expect(githubApiRoot("https://ghe.example.org/")).toBe("https://ghe.example.org/api/v3");
        expect(githubApiRoot("https://ghe.example.org/api/v3/")).toBe("https://ghe.example.org/api/v3");
        expect(secretEndpoint("o", { scope: "environment", name: "S", repository: "r", environment: "a b" }).endpoint).toBe("repos/o/r/environments/a%20b/secrets/S");
    });
});
