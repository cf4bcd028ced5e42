import { describe, expect, it } from "vitest";
import { missingSecrets, netrcTokenMissing, SecretNeeds } from "../../components/config/requiredSecrets";

// The one decision of which secrets a setup needs: the stack file's rules, CacheSetup and GithubCi ask it.

const needs = (over: Partial<SecretNeeds>, given: string[] = []): SecretNeeds => ({ privateCache: false, hostKeys: [], given: (key) => given.includes(key), ...over });

describe("missingSecrets", () => {
    it("asks CI's credentials: the auth token always, the signing key in its mode", () => {
        expect(missingSecrets(needs({ githubCredential: "authToken" }))).toEqual([{ key: "cachixAuthToken", neededBy: "github" }]);
        expect(missingSecrets(needs({ githubCredential: "signingKey" }))).toEqual([
            { key: "cachixAuthToken", neededBy: "github" },
            { key: "cachixSigningKey", neededBy: "github" },
        ]);
        expect(missingSecrets(needs({ githubCredential: "signingKey" }, ["cachixAuthToken", "cachixSigningKey"]))).toEqual([]);
        expect(missingSecrets(needs({}))).toEqual([]);
    });

    it("asks a private cache's netrc token: the read-only one, or else the auth token, once", () => {
        expect(missingSecrets(needs({ privateCache: true }))).toEqual([{ key: "cachixAuthToken", neededBy: "privateCache" }]);
        expect(missingSecrets(needs({ privateCache: true }, ["cachixReadToken"]))).toEqual([]);
        expect(missingSecrets(needs({ privateCache: true }, ["cachixAuthToken"]))).toEqual([]);
        // Needed by CI too: named once, by the first reason.
        expect(missingSecrets(needs({ privateCache: true, githubCredential: "authToken" }))).toEqual([{ key: "cachixAuthToken", neededBy: "github" }]);
    });

    it("asks each host's SSH key at that host, agents aside", () => {
        expect(missingSecrets(needs({ hostKeys: ["sshPrivateKey", undefined, "sshPrivateKey", "other"] }, ["other"]))).toEqual([
            { key: "sshPrivateKey", neededBy: "host", hostIndex: 0 },
            { key: "sshPrivateKey", neededBy: "host", hostIndex: 2 },
        ]);
    });

    it("asks the one token a component's netrc has, for a private cache only", () => {
        expect(netrcTokenMissing(true, undefined)).toBe(true);
        expect(netrcTokenMissing(true, "token")).toBe(false);
        expect(netrcTokenMissing(false, undefined)).toBe(false);
    });
});
