import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { renderStack } from "../../cli/render";
import { loadStackModel } from "../../components/config/load";
import { MirrorSpec, StackModel } from "../../components/config/model";
import { ConfigValidationError } from "../../components/config/problems";
import { mirrorSecretArtifacts } from "../../components/github/githubArtifacts";
import { mirrorCiSecretList, mirrorSecretPlacements } from "../../components/github/mirrorSecrets";
import { mirrorLifecycleRules, RETENTION_MIN_OBJECT_BYTES } from "../../components/mirror/lifecycle";
import { MIRROR_ARTIFACT_PATHS, mirrorArtifacts } from "../../components/mirror/mirrorArtifacts";
import { mirrorPublicKeyPlaceholder, mirrorTrustedCache } from "../../components/mirror/mirrorCache";
import { generateNixSigningKey } from "../../components/formats/signingKey";
import { rawConfigFromStackFile } from "../../components/config/sources";
import { hostScripts } from "../../components/hosts/hostScripts";
import { hostPayload } from "../../components/hosts/payload";
import { trustedCaches } from "../../components/config/trustedCaches";
import { renderNixConfLines } from "../../components/render/nixConf";
import { renderNixosModule } from "../../components/render/nixosModule";
import { stackFile } from "../../cli/args";
import { NIX_CACHE_INFO_CONTENT_TYPE, renderNixCacheInfo } from "../../components/mirror/nixCacheInfo";
import { mirrorProviderArgs } from "../../components/mirror/providerArgs";
import { mirrorHttpUrl, mirrorPushUrl, mirrorSubstituterUrl } from "../../components/formats/s3Urls";
import { allArtifacts } from "../../components/setup/allArtifacts";
import { secretPlaceholder } from "../../components/render/artifact";
import { HOST_KEY, MINIMAL, rawConfig } from "../support/config";

const MIRROR: MirrorSpec = { bucket: "atproto-nix-cache", region: "eu-west-1", public: true, priority: 50, keyName: "atproto-mirror-1", ciCredentials: "oidc", anonymousList: false, skipUpstreamPaths: true };
const GITHUB = { owner: "atproto-nix", repositories: [{ name: "nur" }, { name: "tangled" }] };
const out = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-render-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const model = (values: Record<string, unknown>): StackModel => loadStackModel(rawConfig({ ...MINIMAL, ...values }), { mode: "render" });

describe("nix-cache-info", () => {
    it("announces the store, mass queries and the configured priority, as Nix writes it", () => {
        expect(renderNixCacheInfo({ priority: 50 })).toBe("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 50\n");
        expect(renderNixCacheInfo({ priority: 10, wantMassQuery: false, storeDir: "/gnu/store" })).toBe("StoreDir: /gnu/store\nWantMassQuery: 0\nPriority: 10\n");
        expect(NIX_CACHE_INFO_CONTENT_TYPE).toBe("text/x-nix-cache-info");
    });
});

describe("lifecycle rules", () => {
    it("always abort incomplete multipart uploads; expire cache objects only with retentionDays", () => {
        expect(mirrorLifecycleRules({})).toEqual([
            { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ]);
        expect(mirrorLifecycleRules({ retentionDays: 30 })[1]).toEqual({
            id: "expire-cache-objects",
            status: "Enabled",
            filter: { objectSizeGreaterThan: RETENTION_MIN_OBJECT_BYTES },
            expiration: { days: 30 },
        });
    });

    it("spares nix-cache-info: it is always smaller than the expiry's size filter", () => {
        expect(Buffer.byteLength(renderNixCacheInfo({ priority: 1000 }))).toBeLessThan(RETENTION_MIN_OBJECT_BYTES);
    });
});

describe("URLs", () => {
    it("AWS: virtual-hosted HTTPS for hosts, path style for dotted names, the .cn domain in China", () => {
        expect(mirrorHttpUrl(MIRROR)).toBe("https://atproto-nix-cache.s3.eu-west-1.amazonaws.com");
        expect(mirrorHttpUrl({ ...MIRROR, bucket: "cache.example.org" })).toBe("https://s3.eu-west-1.amazonaws.com/cache.example.org");
        expect(mirrorHttpUrl({ ...MIRROR, region: "cn-north-1" })).toBe("https://atproto-nix-cache.s3.cn-north-1.amazonaws.com.cn");
    });

    it("custom endpoint: path style, with or without a trailing slash", () => {
        expect(mirrorHttpUrl({ ...MIRROR, endpoint: "http://127.0.0.1:9000/" })).toBe("http://127.0.0.1:9000/atproto-nix-cache");
    });

    it("substituter: the HTTP URL with the priority for a public mirror, Nix's S3 store for a private one", () => {
        expect(mirrorSubstituterUrl(MIRROR)).toBe("https://atproto-nix-cache.s3.eu-west-1.amazonaws.com?priority=50");
        expect(mirrorSubstituterUrl({ ...MIRROR, public: false })).toBe("s3://atproto-nix-cache?region=eu-west-1&priority=50");
        expect(mirrorSubstituterUrl({ ...MIRROR, public: false, endpoint: "https://s3.example.org" })).toBe(
            "s3://atproto-nix-cache?region=eu-west-1&endpoint=https://s3.example.org&priority=50",
        );
    });

    it("push: Nix's S3 store, zstd, signing with a key file when given", () => {
        expect(mirrorPushUrl(MIRROR)).toBe("s3://atproto-nix-cache?region=eu-west-1&compression=zstd&multipart-upload=true");
        expect(mirrorPushUrl({ ...MIRROR, endpoint: "http://127.0.0.1:9000" }, { secretKeyFile: "$RUNNER_TEMP/mirror-key" })).toBe(
            "s3://atproto-nix-cache?region=eu-west-1&endpoint=http://127.0.0.1:9000&compression=zstd&multipart-upload=true&secret-key=$RUNNER_TEMP/mirror-key",
        );
        expect(() => mirrorPushUrl(MIRROR, { secretKeyFile: "/tmp/a&b" })).toThrow(/secretKeyFile/);
    });

    it("the trusted cache is the substituter with the mirror's own key", () => {
        expect(mirrorTrustedCache(MIRROR, ["atproto-mirror-1:abc="])).toEqual({ url: mirrorSubstituterUrl(MIRROR), publicKeys: ["atproto-mirror-1:abc="] });
    });

    it("the provider is pinned to the mirror's region; a custom endpoint skips AWS-only checks", () => {
        expect(mirrorProviderArgs(MIRROR)).toEqual({ region: "eu-west-1" });
        expect(mirrorProviderArgs({ ...MIRROR, endpoint: "http://127.0.0.1:9000" })).toMatchObject({ endpoints: [{ s3: "http://127.0.0.1:9000" }], s3UsePathStyle: true });
    });
});

describe("CI secrets", () => {
    it("the signing key, then the role's ARN (oidc) or an access key (accessKeys), placed like the Cachix secret", () => {
        const github = model({ github: GITHUB }).github!;
        expect(mirrorCiSecretList(MIRROR, github).map((s) => s.name)).toEqual(["NIX_MIRROR_SIGNING_KEY", "NIX_MIRROR_AWS_ROLE_ARN"]);
        expect(mirrorCiSecretList({ ...MIRROR, ciCredentials: "accessKeys" }, github).map((s) => s.name)).toEqual([
            "NIX_MIRROR_SIGNING_KEY",
            "NIX_MIRROR_AWS_ACCESS_KEY_ID",
            "NIX_MIRROR_AWS_SECRET_ACCESS_KEY",
        ]);
        const custom = mirrorCiSecretList({ ...MIRROR, endpoint: "http://127.0.0.1:9000" }, github);
        expect(custom.map((s) => [s.name, s.managed])).toEqual([
            ["NIX_MIRROR_SIGNING_KEY", true],
            ["NIX_MIRROR_AWS_ACCESS_KEY_ID", false],
            ["NIX_MIRROR_AWS_SECRET_ACCESS_KEY", false],
        ]);
        expect(mirrorSecretPlacements(github, custom[0])).toEqual([
            { scope: "repository", name: "NIX_MIRROR_SIGNING_KEY", repository: "nur" },
            { scope: "repository", name: "NIX_MIRROR_SIGNING_KEY", repository: "tangled" },
        ]);
        expect(mirrorCiSecretList(MIRROR, undefined)).toEqual([]);
    });
});

describe("mirrorArtifacts", () => {
    it("nothing without a mirror: stacks without one render as before", () => {
        const plain = model({ github: GITHUB });
        expect(mirrorArtifacts(plain, secretPlaceholder)).toEqual([]);
        expect(allArtifacts(plain, secretPlaceholder).some((a) => a.path.startsWith("mirror/"))).toBe(false);
    });

    it("the bucket policy, nix-cache-info and CI policies, with their targets", () => {
        const stack = model({ github: GITHUB, mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } });
        // The secrets listing is GitHub's part of the mirror: it comes from the GitHub side.
        const artifacts = [...mirrorArtifacts(stack, secretPlaceholder), ...mirrorSecretArtifacts(stack)];
        expect(artifacts.map((a) => [a.kind, a.path, a.target])).toEqual([
            ["nix-cache-info", MIRROR_ARTIFACT_PATHS.nixCacheInfo, "s3:atproto-nix-cache:nix-cache-info"],
            ["bucket-policy", MIRROR_ARTIFACT_PATHS.bucketPolicy, "s3:atproto-nix-cache:bucket-policy"],
            ["iam-policy", MIRROR_ARTIFACT_PATHS.ciTrustPolicy, "aws:iam-role:nix-mirror-push-atproto-nix-cache"],
            ["iam-policy", MIRROR_ARTIFACT_PATHS.ciWritePolicy, "aws:iam-role-policy:nix-mirror-push-atproto-nix-cache"],
            ["github-secret", MIRROR_ARTIFACT_PATHS.githubSecrets, "github:atproto-nix:actions-secrets:mirror"],
        ]);
        for (const artifact of artifacts.filter((a) => a.path.endsWith(".json"))) {
            expect(() => JSON.parse(artifact.content), artifact.path).not.toThrow();
        }
        expect(artifacts.find((a) => a.path === MIRROR_ARTIFACT_PATHS.ciTrustPolicy)!.content).toContain("arn:aws:iam::<aws-account-id>:oidc-provider/");
    });

    it("accessKeys: a user policy and no trust policy; no github: no CI files", () => {
        const keys = mirrorArtifacts(model({ github: GITHUB, mirror: { bucket: "b-1-c", ciCredentials: "accessKeys" } }), secretPlaceholder);
        expect(keys.map((a) => a.target)).toContain("aws:iam-user-policy:nix-mirror-push-b-1-c");
        expect(keys.map((a) => a.path)).not.toContain(MIRROR_ARTIFACT_PATHS.ciTrustPolicy);
        const alone = mirrorArtifacts(model({ mirror: { bucket: "b-1-c" } }), secretPlaceholder);
        expect(alone.map((a) => a.kind)).toEqual(["nix-cache-info", "bucket-policy"]);
    });

    it("the example stack renders its mirror files with the render command", () => {
        const manifest = renderStack("mirror-example", out);
        const mirrorFiles = manifest.filter((entry) => entry.path.startsWith("mirror/"));
        expect(mirrorFiles.map((entry) => entry.kind)).toEqual(["nix-cache-info", "bucket-policy", "iam-policy", "iam-policy", "github-secret"]);
        expect(fs.readFileSync(path.join(out, MIRROR_ARTIFACT_PATHS.nixCacheInfo), "utf8")).toBe(renderNixCacheInfo({ priority: 50 }));
        expect(JSON.parse(fs.readFileSync(path.join(out, MIRROR_ARTIFACT_PATHS.bucketPolicy), "utf8")).Statement[0].Resource).toBe("arn:aws:s3:::atproto-nix-cache/*");
    });
});

describe("mirror config", () => {
    const problems = (mirror: Record<string, unknown>) => {
        try {
            loadStackModel(rawConfig({ ...MINIMAL, mirror }), { mode: "render" });
            return "";
        } catch (error) {
            return String((error as Error).message);
        }
    };
    const R2 = { bucket: "nix-cache", endpoint: "https://0123abcd.r2.cloudflarestorage.com", server: "r2", region: "auto", publicUrl: "https://pub-0123.r2.dev" };

    it("accepts R2 with region auto and its public URL; refuses auto on AWS and a server kind without an endpoint", () => {
        expect(problems(R2)).toBe("");
        expect(problems({ bucket: "nix-cache", region: "auto" })).toMatch(/nix-cache:mirror\.region: auto is R2's region; on AWS expected a region such as us-east-1/);
        expect(problems({ bucket: "nix-cache", server: "minio" })).toMatch(/nix-cache:mirror\.server: only applies with endpoint set/);
        expect(problems({ bucket: "nix-cache", region: "Auto" })).toMatch(/nix-cache:mirror\.region: "Auto" is not valid; expected an AWS region such as us-east-1, or auto \(R2\)/);
    });

    it("anonymous listing is off unless asked; subject claims are checked", () => {
        expect(model({ mirror: { bucket: "nix-cache" } }).mirror!.anonymousList).toBe(false);
        expect(model({ mirror: { bucket: "nix-cache", anonymousList: true } }).mirror!.anonymousList).toBe(true);
        expect(problems({ bucket: "nix-cache", oidcSubjectClaims: ["repo", "context", "job_workflow_ref"] })).toBe("");
        expect(problems({ bucket: "nix-cache", oidcSubjectClaims: ["context"] })).toMatch(/nix-cache:mirror\.oidcSubjectClaims: must include repo or job_workflow_ref/);
        expect(problems({ bucket: "nix-cache", oidcSubjectClaims: ["repo", "actor"] })).toMatch(/nix-cache:mirror\.oidcSubjectClaims\[1\]: expected one of repo, context/);
        expect(problems({ bucket: "nix-cache", oidcSubjectClaims: ["repo"], ciCredentials: "accessKeys" })).toMatch(/oidcSubjectClaims: only applies to GitHub OIDC/);
    });

    it("a private mirror is refused with hosts (they would have no credentials); skipping upstream paths needs cache.nixos.org", () => {
        const host = { name: "laptop", kind: "user", user: "dev", address: "192.0.2.9", hostKey: HOST_KEY, sshAgent: true };
        const load = (values: Record<string, unknown>) => () => loadStackModel(rawConfig({ ...MINIMAL, ...values }), { mode: "render" });
        expect(load({ hosts: [host], mirror: { bucket: "nix-cache", public: false } })).toThrow(/nix-cache:mirror\.public: a private mirror cannot serve the stack's hosts/);
        expect(load({ hosts: [host], mirror: { bucket: "nix-cache" } })).not.toThrow();
        expect(load({ mirror: { bucket: "nix-cache", public: false } })).not.toThrow();
        expect(load({ useCacheNixosOrg: false, mirror: { bucket: "nix-cache", skipUpstreamPaths: true } })).toThrow(/nix-cache:mirror\.skipUpstreamPaths: needs useCacheNixosOrg/);
        expect(load({ useCacheNixosOrg: false, mirror: { bucket: "nix-cache" } })().mirror!.skipUpstreamPaths).toBe(false);
        expect(model({ mirror: { bucket: "nix-cache" } }).mirror!.skipUpstreamPaths).toBe(true);
    });

    it("refuses what a server kind cannot do, naming the key", () => {
        expect(problems({ ...R2, retentionDays: 30 })).toMatch(/nix-cache:mirror\.retentionDays: is not supported with server r2/);
        expect(problems({ bucket: "nix-cache", endpoint: "https://s3.example.org", retentionDays: 30 })).toMatch(/retentionDays: is not supported with server generic/);
        expect(problems({ bucket: "nix-cache", endpoint: "http://127.0.0.1:9000", server: "minio", retentionDays: 30 })).toBe("");
        expect(problems({ ...R2, publicUrl: undefined })).toMatch(/nix-cache:mirror\.publicUrl: is required for a public mirror on R2/);
        expect(problems({ ...R2, public: false })).toMatch(/nix-cache:mirror\.publicUrl: only applies to a public mirror/);
        expect(problems({ ...R2, public: false, publicUrl: undefined })).toBe("");
        expect(problems({ ...R2, publicUrl: "https://pub-0123.r2.dev/?x=1" })).toMatch(/nix-cache:mirror\.publicUrl: .* is not valid/);
    });

    it("refuses AWS-only CI settings with a custom endpoint", () => {
        const load = () => loadStackModel(rawConfig({ ...MINIMAL, mirror: { bucket: "b-1-c", endpoint: "http://127.0.0.1:9000", ciCredentials: "accessKeys" } }), { mode: "apply" });
        expect(load).toThrow(ConfigValidationError);
        expect(load).toThrow(/nix-cache:mirror\.ciCredentials: only applies to AWS/);
    });
});

describe("render = apply: the mirror in every rendered file apply writes", () => {
    const atproto = loadStackModel(rawConfigFromStackFile(stackFile("atproto")), { mode: "render" });
    const withMirror: StackModel = { ...atproto, mirror: MIRROR };
    const generated = generateNixSigningKey(MIRROR.keyName).publicKey;
    // What apply passes to the identity and every host once the key exists.
    const applied = [mirrorTrustedCache(MIRROR, [generated])];
    const placeholder = mirrorPublicKeyPlaceholder(MIRROR);
    const withKey = (text: string) => text.split(placeholder).join(generated);
    const files = (m: StackModel) => Object.fromEntries(allArtifacts(m, secretPlaceholder).map((a) => [a.path, a.content]));

    it("identity/nix.conf and the NixOS module list the mirror last, as the applied outputs do, its key a placeholder", () => {
        const rendered = files(withMirror);
        const trusted = trustedCaches(withMirror, applied);
        expect(trusted.substituters).toHaveLength(3);
        expect(rendered["identity/nix.conf"]).toContain(mirrorSubstituterUrl(MIRROR));
        expect(rendered["identity/nix.conf"]).toContain(placeholder);
        expect(withKey(rendered["identity/nix.conf"])).toBe(renderNixConfLines(trusted));
        expect(withKey(rendered["identity/nixos-module.nix"])).toBe(renderNixosModule(trusted));
        // The placeholder is one token: the rendered file lists exactly as many keys as the applied one.
        expect(placeholder).toMatch(/^atproto-mirror-1:\S+$/);
    });

    it("during a rotation every rendered file lists both keys' placeholders, the new one first", () => {
        const rotating: StackModel = { ...atproto, mirror: { ...MIRROR, keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1" } };
        const conf = files(rotating)["identity/nix.conf"];
        const order = ["atproto-mirror-2", "atproto-mirror-1"].map((keyName) => conf.indexOf(mirrorPublicKeyPlaceholder({ keyName })));
        expect(order.every((i) => i > 0)).toBe(true);
        expect(order[0]).toBeLessThan(order[1]);
    });

    it("every host's files and scripts are the applied ones with the key in place", () => {
        const rendered = files(withMirror);
        const hostFiles = Object.entries(rendered).filter(([p]) => p.startsWith("hosts/"));
        expect(hostFiles.length).toBeGreaterThan(0);
        for (const host of withMirror.hosts) {
            const payload = hostPayload(withMirror, host, applied);
            const scripts = hostScripts(payload);
            expect(withKey(rendered[`hosts/${host.name}/apply.sh`]), host.name).toBe(scripts.apply);
            expect(withKey(rendered[`hosts/${host.name}/verify.sh`]), host.name).toBe(scripts.verify);
            const settings = payload.managedConf ?? payload.nixosFiles!.map((f) => f.content).join("");
            const renderedSettings = hostFiles.filter(([p]) => p.startsWith(`hosts/${host.name}/`) && !p.endsWith(".sh")).map(([, c]) => c).join("");
            expect(withKey(renderedSettings), host.name).toBe(settings);
            expect(renderedSettings, host.name).toContain(mirrorHttpUrl(MIRROR));
        }
        // Without a mirror nothing changes.
        expect(JSON.stringify(files(atproto))).not.toContain("public-key-generated-by-pulumi-up");
    });
});
