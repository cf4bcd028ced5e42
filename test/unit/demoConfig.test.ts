import * as path from "path";
import { describe, expect, it } from "vitest";
import { rawConfigFromStackFile } from "../../components/config/sources";
import { demoConfig, readDemoDeclaration } from "../../scripts/demo/demoConfig";
import { describeChanges } from "../../scripts/demo/report";
import { HOST_KEY, rawConfig } from "../support/config";

const committed = () => rawConfigFromStackFile(path.resolve(__dirname, "../../stacks/Pulumi.local.yaml"));
const KEY = "demo.cachix.org-1:QEmU7DqdWrD9lzgqTaoN7YBT0Ohgr9H+Wjj+ginYkno=";
const generated = {
    hostKey: HOST_KEY,
    nixConfDir: "/work/.demo/host/etc-nix",
    privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n",
};

describe("the demo's stack config", () => {
    it("reads the ports and names the demo starts things with from the committed stack file", () => {
        expect(readDemoDeclaration(committed())).toEqual({ cachePort: 18080, cacheKeyName: "demo.cachix.org-1", cachixPort: 18081, hostName: "local-builder", hostPort: 12222 });
    });

    it("is the committed file with the generated host key and config dir, and the login key as a secret; the cache's key comes from the local Cachix", () => {
        const config = demoConfig(committed(), generated);
        expect(JSON.parse(config["nix-cache:cache"].value)).toEqual({ name: "demo", url: "http://127.0.0.1:18080", apiUrl: "http://127.0.0.1:18081/api/v1" });
        const [host] = JSON.parse(config["nix-cache:hosts"].value) as Record<string, unknown>[];
        expect(host).toMatchObject({ name: "local-builder", port: 12222, hostKey: HOST_KEY, nixConfDir: generated.nixConfDir, trustedUsers: ["builder"] });
        expect(host).not.toHaveProperty("insecureSkipHostKeyVerification");
        expect(config["nix-cache:sshPrivateKey"]).toEqual({ value: generated.privateKey, secret: true });
        expect(config["nix-cache:useCacheNixosOrg"]).toEqual({ value: "false", secret: false });
    });

    it("refuses a stack file the demo cannot serve, and one the validator rejects", () => {
        const remote = rawConfig({ cache: { name: "demo", url: "https://demo.cachix.org", publicKeys: [KEY], apiUrl: "http://127.0.0.1:2/api/v1" }, hosts: [] });
        expect(() => readDemoDeclaration(remote)).toThrow(/cache.url must be http:\/\/127\.0\.0\.1:PORT/);
        const twoHosts = rawConfig({
            cache: { name: "demo", url: "http://127.0.0.1:1", publicKeys: [KEY], apiUrl: "http://127.0.0.1:2/api/v1" },
            hosts: [{ name: "a", address: "127.0.0.1", port: 1 }, { name: "b", address: "127.0.0.1", port: 2 }],
        });
        expect(() => readDemoDeclaration(twoHosts)).toThrow(/exactly one/);
        const badKind = rawConfig({ cache: { name: "demo", url: "http://127.0.0.1:1", publicKeys: [KEY], apiUrl: "http://127.0.0.1:2/api/v1" }, hosts: [{ name: "a", kind: "bsd", address: "127.0.0.1", port: 1 }] });
        expect(() => demoConfig(badKind, generated)).toThrow(/Invalid stack configuration[\s\S]*hosts\[0\]\.kind/);
    });
});

describe("the demo's summary of an up", () => {
    it("says what changed, or that nothing did", () => {
        expect(describeChanges({ create: 6 })).toEqual({ text: "6 created", noop: false });
        expect(describeChanges({ update: 1, same: 5 })).toEqual({ text: "1 updated, 5 unchanged", noop: false });
        expect(describeChanges({ same: 6 })).toEqual({ text: "no changes (6 resources unchanged)", noop: true });
    });
});
