import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { mirrorPublicKeyPlaceholder } from "../../components/mirror/mirrorCache";
import { allArtifacts } from "../../components/setup/allArtifacts";
import { secretPlaceholder } from "../../components/render/artifact";
import { MINIMAL, rawConfig } from "../support/config";
import { MirrorRegistered, MOCK_MIRROR_KEY, recordMirror, valueOf } from "../support/mirrorMocks";

const TOKEN = "program-mirror-token-do-not-leak";
const CONFIG = {
    // No Cachix here: the program's check of the cache is another test's.
    cache: { ...MINIMAL.cache, offline: true },
    github: { owner: "atproto-nix", repositories: [{ name: "nur" }] },
    mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" },
};
let registered: MirrorRegistered[];
let program: Awaited<ReturnType<typeof import("../../program").nixCacheProgram>>;

beforeAll(async () => {
    registered = await recordMirror();
    const config = CONFIG;
    pulumi.runtime.setAllConfig(
        { ...Object.fromEntries(Object.entries(config).map(([k, v]) => [`nix-cache:${k}`, JSON.stringify(v)])), "nix-cache:cachixAuthToken": TOKEN },
        ["nix-cache:cachixAuthToken"],
    );
    program = await (await import("../../program")).nixCacheProgram();
});

describe("the program (index.ts) with a mirror section", () => {
    it("exports the mirror's substituter, push URL, public key, role and AWS account", async () => {
        expect(await valueOf(program.mirrorSubstituterUrl!)).toBe("https://atproto-nix-cache.s3.eu-west-1.amazonaws.com?priority=50");
        expect(await valueOf(program.mirrorPushUrl!)).toBe("s3://atproto-nix-cache?region=eu-west-1&compression=zstd&multipart-upload=true");
        expect(await valueOf(program.mirrorPublicKey!)).toBe(MOCK_MIRROR_KEY.publicKey);
        expect(await valueOf(program.mirrorRoleArn!)).toBe("arn:aws:iam::123456789012:role/nix-mirror-push-atproto-nix-cache");
        expect(await valueOf(program.mirrorAwsAccountId!)).toBe("123456789012");
    });

    it("trusts the mirror in every host-facing output, after the configured caches", async () => {
        expect((await valueOf(program.substituters)).at(-1)).toBe("https://atproto-nix-cache.s3.eu-west-1.amazonaws.com?priority=50");
        expect(await valueOf(program.trustedPublicKeys)).toContain(MOCK_MIRROR_KEY.publicKey);
        expect(await valueOf(program.nixosModule)).toContain(MOCK_MIRROR_KEY.publicKey);
    });

    it("applies the nix.conf and NixOS module render writes, the placeholder replaced by the generated key", async () => {
        const model = loadStackModel(rawConfig(CONFIG), { mode: "render" });
        const rendered = Object.fromEntries(allArtifacts(model, secretPlaceholder).map((a) => [a.path, a.content]));
        const withKey = (text: string) => text.split(mirrorPublicKeyPlaceholder(model.mirror!)).join(MOCK_MIRROR_KEY.publicKey);
        expect(rendered["identity/nix.conf"]).not.toContain(MOCK_MIRROR_KEY.publicKey);
        expect(withKey(rendered["identity/nix.conf"])).toBe(await valueOf(program.nixConf));
        expect(withKey(rendered["identity/nixos-module.nix"])).toBe(await valueOf(program.nixosModule));
    });

    it("exports the secret key only as a secret output, and no key material elsewhere", async () => {
        const secretHalf = MOCK_MIRROR_KEY.secretKey.split(":")[1];
        expect(await pulumi.isSecret(program.mirrorSecretKey!)).toBe(true);
        expect(await valueOf(program.mirrorSecretKey!)).toBe(MOCK_MIRROR_KEY.secretKey);
        const exported = await Promise.all(
            Object.entries(program)
                .filter(([name]) => name !== "mirrorSecretKey")
                .map(([, value]) => value)
                .filter((value): value is pulumi.Output<unknown> => pulumi.Output.isInstance(value))
                .map((output) => valueOf(output)),
        );
        expect(JSON.stringify(exported)).not.toContain(secretHalf);
        expect(registered.map((r) => r.type)).toContain("nix-cache:index:S3Mirror");
    });
});
