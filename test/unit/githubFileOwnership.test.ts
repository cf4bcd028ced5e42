import { describe, expect, it } from "vitest";
import { ABSENT_NOTE, fileOwnership, isStackMessage, noteMessage, OVERWRITE_NOTE, REPLACE_NOTE } from "../../components/github/fileOwnership";
import { contentsRef, parseContents, parseLastCommit, remoteFileEndpoints } from "../../components/github/remoteFile";

const BASE = "ci: update Nix cache workflow (managed by nix-cache)";
const RENDERED = "name: Build\n";
const HEAD = "0123456789abcdef0123456789abcdef01234567";
const OUTSIDE = "fedcba9876543210fedcba9876543210fedcba98";

describe("fileOwnership: what a run declares for the workflow file", () => {
    it("a missing file is written, its message naming the branch's head (a later deletion, at another head, is a change again)", () => {
        expect(fileOwnership(undefined, RENDERED, BASE, HEAD)).toEqual({ state: "absent", commitMessage: noteMessage(BASE, ABSENT_NOTE, HEAD) });
        expect(fileOwnership(undefined, RENDERED, BASE, OUTSIDE).commitMessage).not.toBe(fileOwnership(undefined, RENDERED, BASE, HEAD).commitMessage);
        // Head unknown: the configured message.
        expect(fileOwnership(undefined, RENDERED, BASE, "")).toEqual({ state: "absent", commitMessage: BASE });
    });

    it("in sync with the stack's commit on top: declares that commit's message, so a second run changes nothing", () => {
        for (const message of [BASE, noteMessage(BASE, OVERWRITE_NOTE, OUTSIDE), noteMessage(BASE, ABSENT_NOTE, HEAD)]) {
            expect(fileOwnership({ content: RENDERED, commitSha: HEAD, commitMessage: message }, RENDERED, BASE, "")).toEqual({ state: "inSync", commitMessage: message });
        }
    });

    it("in sync after someone else's commit (identical text): the configured message", () => {
        expect(fileOwnership({ content: RENDERED, commitSha: OUTSIDE, commitMessage: "Revert the bump" }, RENDERED, BASE, "")).toEqual({ state: "inSync", commitMessage: BASE });
    });

    it("the stack's commit on top and other text: written, the message naming that commit (so it differs from the last one even if the text the stack last wrote is this one)", () => {
        expect(fileOwnership({ content: "name: Old\n", commitSha: HEAD, commitMessage: BASE }, RENDERED, BASE, "")).toEqual({ state: "changedByStack", commitMessage: noteMessage(BASE, REPLACE_NOTE, HEAD) });
        expect(fileOwnership({ content: "name: Old\n", commitSha: HEAD, commitMessage: noteMessage(BASE, OVERWRITE_NOTE, OUTSIDE) }, RENDERED, BASE, "").state).toBe("changedByStack");
        expect(isStackMessage(noteMessage(BASE, REPLACE_NOTE, HEAD), BASE)).toBe(true);
    });

    it("an outside commit changed the text: written over, the message naming that commit (so the same bump made twice is seen twice)", () => {
        const bump = { content: RENDERED.replace("Build", "Bumped"), commitSha: OUTSIDE, commitMessage: "Bump actions/checkout from 6 to 7" };
        expect(fileOwnership(bump, RENDERED, BASE, "")).toEqual({ state: "changedOutside", commitMessage: noteMessage(BASE, OVERWRITE_NOTE, OUTSIDE) });
        expect(fileOwnership({ ...bump, commitSha: HEAD }, RENDERED, BASE, "").commitMessage).toBe(noteMessage(BASE, OVERWRITE_NOTE, HEAD));
        // A commit merely reusing the configured message as a prefix is not the stack's.
        expect(fileOwnership({ ...bump, commitMessage: `${BASE}\n\nbumped by hand` }, RENDERED, BASE, "").state).toBe("changedOutside");
    });

    it("isStackMessage: the configured message, alone or with one of the stack's notes and a commit SHA", () => {
        expect(isStackMessage(BASE, BASE)).toBe(true);
        expect(isStackMessage(noteMessage(BASE, OVERWRITE_NOTE, OUTSIDE), BASE)).toBe(true);
        expect(isStackMessage(noteMessage(BASE, OVERWRITE_NOTE, "not-a-sha"), BASE)).toBe(false);
        expect(isStackMessage(noteMessage(BASE, OVERWRITE_NOTE, OUTSIDE), "another message")).toBe(false);
        expect(isStackMessage(`${BASE} (#12)`, BASE)).toBe(false);
    });

    it("parseContents, parseLastCommit: a 404 or a directory is no file; an empty file is a file; the last commit names it", () => {
        const endpoints = remoteFileEndpoints("atproto-nix", "nur", "feature/x", ".github/workflows/build.yml");
        expect(endpoints).toEqual({
            contents: "repos/atproto-nix/nur/contents/.github/workflows/build.yml?ref=feature%2Fx",
            lastCommit: "repos/atproto-nix/nur/commits?sha=feature%2Fx&path=.github%2Fworkflows%2Fbuild.yml&per_page=1",
        });
        const commits = { code: 200, body: JSON.stringify([{ sha: HEAD, commit: { message: BASE } }]) };
        expect(parseContents(endpoints.contents, { code: 404, body: "{}" })).toBeUndefined();
        expect(parseContents(endpoints.contents, { code: 200, body: "[]" })).toBeUndefined();
        const empty = { code: 200, body: JSON.stringify({ type: "file", encoding: "base64", content: "" }) };
        expect(parseContents(endpoints.contents, empty)).toEqual({ content: "", ref: undefined });
        expect(parseLastCommit(endpoints.lastCommit, commits)).toEqual({ sha: HEAD, message: BASE });
        expect(parseLastCommit(endpoints.lastCommit, { code: 200, body: "[]" })).toEqual({ sha: "", message: "" });
        const text = { code: 200, body: JSON.stringify({ type: "file", encoding: "base64", content: Buffer.from("on: push\n").toString("base64") }) };
        expect(parseContents(endpoints.contents, text)?.content).toBe("on: push\n");
        expect(() => parseContents(endpoints.contents, { code: 403, body: "{}" })).toThrow(/403 to GET repos\/atproto-nix\/nur\/contents/);
        expect(() => parseLastCommit(endpoints.lastCommit, { code: 500, body: "" })).toThrow(/500 to GET .*per_page=1/);
    });

    it("without a branch: both reads ask for the default branch, and the contents' url names it", () => {
        expect(remoteFileEndpoints("atproto-nix", "nur", undefined, ".github/workflows/build.yml")).toEqual({
            contents: "repos/atproto-nix/nur/contents/.github/workflows/build.yml",
            lastCommit: "repos/atproto-nix/nur/commits?path=.github%2Fworkflows%2Fbuild.yml&per_page=1",
        });
        const answer = (url?: string) => ({ code: 200, body: JSON.stringify({ type: "file", encoding: "base64", content: "", url }) });
        expect(parseContents("x", answer("https://api.github.com/repos/o/r/contents/a/b.yml?ref=main"))?.ref).toBe("main");
        expect(parseContents("x", answer("https://ghe.example/api/v3/repos/o/r/contents/b.yml?ref=release%2F1.x"))?.ref).toBe("release/1.x");
        expect(contentsRef("https://api.github.com/repos/o/r/contents/b.yml")).toBeUndefined();
        expect(contentsRef("not a url")).toBeUndefined();
        expect(contentsRef(undefined)).toBeUndefined();
    });
});
