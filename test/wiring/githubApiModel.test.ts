import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobSha, LocalGithub, startLocalGithub } from "../../scripts/localhost/githubApi";

/** The local model of GitHub's REST API answers as GitHub does where the stack and the provider depend on it. */

const TOKEN = "ghp_model_token";
let github: LocalGithub;

beforeAll(async () => {
    github = await startLocalGithub({ owner: "o", token: TOKEN });
    github.addRepository("r", ["main", "dev"]);
});
afterAll(() => github.close());

async function call(method: string, endpoint: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; body: Record<string, unknown> & unknown[]; headers: Headers }> {
    const response = await fetch(`${github.apiUrl}/${endpoint}`, {
        method,
        headers: token === null ? {} : { Authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? ({} as never) : (JSON.parse(text) as never), headers: response.headers };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("the local GitHub REST API model", () => {
    it("names files by their git blob SHA, as git hash-object does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blob-"));
        try {
            fs.writeFileSync(path.join(dir, "f"), "on: push\n");
            expect(blobSha("on: push\n")).toBe(execFileSync("git", ["hash-object", path.join(dir, "f")], { encoding: "utf8" }).trim());
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("contents: 201 on create, 422 without the sha over an existing file, 409 with a stale one; a GET without ref reads the default branch and names it", async () => {
        const file = "repos/o/r/contents/.github/workflows/build.yml";
        expect((await call("PUT", file, { message: "add", content: b64("a\n"), branch: "main" })).status).toBe(201);
        expect((await call("PUT", file, { message: "again", content: b64("b\n"), branch: "main" })).status).toBe(422);
        expect((await call("PUT", file, { message: "stale", content: b64("b\n"), branch: "main", sha: blobSha("x\n") })).status).toBe(409);
        expect((await call("PUT", file, { message: "edit", content: b64("b\n"), branch: "main", sha: blobSha("a\n") })).status).toBe(200);
        const read = await call("GET", file);
        expect(read.body).toMatchObject({ type: "file", sha: blobSha("b\n"), content: b64("b\n"), url: `${github.apiUrl}/${file}?ref=main` });
        expect(read.headers.get("x-github-request-id")).toMatch(/\S/);
        expect((await call("GET", `${file}?ref=dev`)).status).toBe(404);
        // The path's history on the branch, newest first, paged.
        const history = await call("GET", "repos/o/r/commits?path=.github%2Fworkflows%2Fbuild.yml&per_page=1");
        expect((history.body as { commit: { message: string } }[]).map((c) => c.commit.message)).toEqual(["edit"]);
        expect(history.headers.get("link")).toContain('rel="next"');
    });

    it("refs: a missing branch's delete is 422; secrets: 201 then 204, 404 when missing, 401 without a token or with a wrong one", async () => {
        expect((await call("DELETE", "repos/o/r/git/refs/heads/gone")).status).toBe(422);
        expect((await call("PUT", "repos/o/r/actions/secrets/cachix_auth_token", { encrypted_value: "x", key_id: "k" })).status).toBe(201);
        expect((await call("PUT", "repos/o/r/actions/secrets/CACHIX_AUTH_TOKEN", { encrypted_value: "y", key_id: "k" })).status).toBe(204);
        expect((await call("GET", "repos/o/r/actions/secrets/CACHIX_AUTH_TOKEN")).body).toMatchObject({ name: "CACHIX_AUTH_TOKEN" });
        expect((await call("GET", "repos/o/r/actions/secrets/OTHER")).status).toBe(404);
        expect((await call("GET", "repos/o/r/actions/secrets/CACHIX_AUTH_TOKEN", undefined, null)).status).toBe(401);
        expect((await call("GET", "repos/o/r", undefined, "wrong")).status).toBe(401);
        expect(github.requests.join("\n")).not.toContain(TOKEN);
    });

    it("organisation secrets: repository access is 409 unless the visibility is selected", async () => {
        expect((await call("PUT", "orgs/o/actions/secrets/S", { encrypted_value: "x", key_id: "k", visibility: "all" })).status).toBe(201);
        const id = github.repositories.get("r")!.id;
        expect((await call("PUT", `orgs/o/actions/secrets/S/repositories/${id}`)).status).toBe(409);
        expect((await call("PUT", "orgs/o/actions/secrets/S", { encrypted_value: "x", key_id: "k", visibility: "selected", selected_repository_ids: [] })).status).toBe(204);
        expect((await call("PUT", `orgs/o/actions/secrets/S/repositories/${id}`)).status).toBe(204);
        expect([...github.orgSecrets.get("S")!.selected]).toEqual([id]);
    });
});
