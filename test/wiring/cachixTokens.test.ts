import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCachix, startLocalCachix } from "../../scripts/localhost/cachixServer";
import { ATPROTO_KEY, HOST_KEY } from "../support/config";
import { listeningAgent } from "../support/listeningAgent";
import { installMocks } from "../support/mocks";

// The program with CI and a host on a private cache, against a local Cachix: each token goes
// where its rights fit, and a token without them stops the program before any registration.

const WRITE = "tokens-write-value-do-not-leak";
const READ = "tokens-read-value-do-not-leak";
const CONFIG = {
    github: { owner: "atproto-nix", repositories: [{ name: "nur" }] },
    hosts: [{ name: "builder", kind: "nix", address: "203.0.113.9", hostKey: HOST_KEY, sshAgent: true }],
};

// The host logs in through the agent, which must answer.
listeningAgent({ named: true });

let cachix: LocalCachix;
beforeAll(async () => {
    cachix = await startLocalCachix();
    cachix.caches.set("atproto", { name: "atproto", uri: "https://atproto.cachix.org", isPublic: false, publicSigningKeys: [ATPROTO_KEY] });
    cachix.tokens.set(WRITE, { accountId: 1, personal: false, permissions: { atproto: "Write" } });
    cachix.tokens.set(READ, { accountId: 1, personal: false, permissions: { atproto: "Read" } });
});
afterAll(() => cachix.close());

const settle = () => (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

async function run(tokens: Record<string, string>) {
    const registered = await installMocks({ cache: { name: "atproto", private: true, apiUrl: cachix.apiUrl }, useCacheNixosOrg: false, ...CONFIG }, tokens);
    const recording = { resources: registered };
    const { nixCacheProgram } = await import("../../program");
    const failure = await nixCacheProgram().then(() => undefined, (error: unknown) => error as Error);
    await settle();
    return { recording, failure };
}

/** The plain value of a registered input, secret or not. */
function plain(value: unknown): unknown {
    return typeof value === "object" && value !== null && "value" in value ? (value as { value: unknown }).value : value;
}

describe("the tokens of the program, checked against a local Cachix", () => {
    it("CI gets the write token, the host's netrc the read token, and the keys come from Cachix", async () => {
        const { recording, failure } = await run({ cachixAuthToken: WRITE, cachixReadToken: READ });
        expect(failure).toBeUndefined();
        const secrets = recording.resources.filter((r) => r.type === "github:index/actionsSecret:ActionsSecret");
        expect(secrets.map((s) => plain(s.inputs.value))).toEqual([WRITE]);
        const netrc = recording.resources.find((r) => r.type === "command:remote:Command" && r.name.endsWith("-netrc"));
        // The token follows the scripts on stdin, then the netrc's marker.
        expect(String(plain(netrc?.inputs.stdin)).split("#nix-cache:end\n").pop()!.split("\n")[0]).toBe(READ);
        const hostInputs = JSON.stringify(recording.resources.filter((r) => r.type.startsWith("command:")).map((r) => r.inputs));
        expect(hostInputs).not.toContain(WRITE);
        const settings = recording.resources.find((r) => r.name.endsWith("-settings"));
        expect(JSON.stringify(settings?.inputs)).toContain(ATPROTO_KEY);
    });

    it.each([
        ["read-only", READ, 'cachixAuthToken: has Read on cache "atproto"; CI pushes with it, which needs Write'],
        ["revoked", "tokens-revoked-value-do-not-leak", 'cachixAuthToken: Cachix refuses it for cache "atproto" (Cachix at 127.0.0.1'],
    ])("a %s CI token stops the program before any registration, naming the key, never a value", async (_kind, token, message) => {
        const { recording, failure } = await run({ cachixAuthToken: token, cachixReadToken: READ });
        expect(failure).toBeInstanceOf(pulumi.RunError);
        expect(failure?.message).toContain(message);
        expect(failure?.message).not.toContain(token);
        expect(failure?.message).not.toContain(READ);
        expect(recording.resources).toEqual([]);
    });

    it("without a read token, the hosts read with the auth token, checked for Read", async () => {
        const { recording, failure } = await run({ cachixAuthToken: WRITE });
        expect(failure).toBeUndefined();
        const netrc = recording.resources.find((r) => r.type === "command:remote:Command" && r.name.endsWith("-netrc"));
        expect(String(plain(netrc?.inputs.stdin)).split("#nix-cache:end\n").pop()!.split("\n")[0]).toBe(WRITE);
    });
});
