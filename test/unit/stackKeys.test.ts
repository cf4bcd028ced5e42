import * as fs from "fs";
import { describe, expect, it } from "vitest";
import { loginHint } from "../../cli/verify";
import { privateKeyNames, withStackKeys } from "../../cli/stackKeys";

describe("the stack's SSH keys for verify", () => {
    it("are the keys the hosts name, once each; agent hosts need none", () => {
        const hosts = [
            { auth: { kind: "privateKey" as const, configKey: "sshPrivateKey" } },
            { auth: { kind: "agent" as const, socket: undefined } },
            { auth: { kind: "privateKey" as const, configKey: "betaKey" } },
            { auth: { kind: "privateKey" as const, configKey: "sshPrivateKey" } },
        ];
        expect(privateKeyNames(hosts)).toEqual(["sshPrivateKey", "betaKey"]);
    });

    it("are written to private files for ssh, ending in a newline, and removed afterwards", async () => {
        let seen: string[] = [];
        const result = await withStackKeys(["a", "b"], async (key) => `KEY ${key}`, async (files) => {
            seen = [...files.values()];
            for (const file of seen) {
                expect(fs.statSync(file).mode & 0o777).toBe(0o600);
                expect(fs.readFileSync(file, "utf8")).toMatch(/^KEY [ab]\n$/);
            }
            return files.size;
        });
        expect(result).toBe(2);
        expect(seen.some((file) => fs.existsSync(file))).toBe(false);
        // Removed when reading fails too.
        await expect(withStackKeys(["a"], () => Promise.reject(new Error("no secret")), () => Promise.resolve(0))).rejects.toThrow("no secret");
    });

    it("a failed login says which credentials were used and how to give others", () => {
        const keyHost = { auth: { kind: "privateKey" as const, configKey: "sshPrivateKey" } };
        expect(loginHint(keyHost, {})).toBe("logged in with the stack's key secret nix-cache:sshPrivateKey; --identity SSH_KEY_FILE logs in with another key");
        expect(loginHint(keyHost, { identityFile: "/k" })).toMatch(/^logged in with the key file \/k \(--identity\)/);
        expect(loginHint({ auth: { kind: "agent" as const, socket: undefined } }, {})).toMatch(/^logged in with the SSH agent at \$SSH_AUTH_SOCK/);
    });
});
