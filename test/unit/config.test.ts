import { describe, expect, it } from "vitest";
import { systemHostsOf } from "../../components/hosts/hostOrder";
import { loadStackModel } from "../../components/config/load";
import { ConfigValidationError } from "../../components/config/problems";
import { ATPROTO_KEY, HOST_KEY, MINIMAL, problemLines, rawConfig } from "../support/config";

/** Loads a config in apply mode and returns the problems' "path: message" lines (none when valid). */
function problemsOf(values: Record<string, unknown>, secrets: Record<string, string> = {}): string[] {
    return problemLines(() => loadStackModel(rawConfig(values, secrets), { mode: "apply" }));
}

const host = (overrides: Record<string, unknown> = {}) => ({
    name: "builder",
    kind: "nix",
    address: "203.0.113.10",
    hostKey: HOST_KEY,
    ...overrides,
});
const withSsh = { sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n" };

describe("cache section", () => {
    it("accepts the guide's cache and derives its URL", () => {
        const model = loadStackModel(rawConfig(MINIMAL), { mode: "apply" });
        expect(model.cache).toEqual({
            name: "atproto",
            url: "https://atproto.cachix.org",
            urlGiven: false,
            overrideUrl: false,
            publicKeys: [ATPROTO_KEY],
            private: false,
            cachix: { offline: false, apiUrl: "https://app.cachix.org/api/v1", create: false },
        });
        expect(model.useCacheNixosOrg).toBe(true);
        expect(model.extraCaches).toEqual([]);
        expect(model.hosts).toEqual([]);
        expect(model.github).toBeUndefined();
        expect(model.mirror).toBeUndefined();
    });

    it("accepts structured config given as JSON text, as the Pulumi runtime passes it", () => {
        const model = loadStackModel(rawConfig({ cache: JSON.stringify(MINIMAL.cache), useCacheNixosOrg: "false" }), { mode: "apply" });
        expect(model.cache.name).toBe("atproto");
        expect(model.useCacheNixosOrg).toBe(false);
    });

    it("treats the empty defaults Pulumi.yaml gives optional sections as not configured", () => {
        const model = loadStackModel(rawConfig({ ...MINIMAL, github: "{}", mirror: {}, hosts: "[]", extraCaches: [] }), { mode: "apply" });
        expect(model.github).toBeUndefined();
        expect(model.mirror).toBeUndefined();
        expect(model.hosts).toEqual([]);
    });

    it("requires the cache section", () => {
        expect(problemsOf({})).toEqual(["nix-cache:cache: is required; expected an object with name and publicKeys (publicKeys may be left out: they are then read from Cachix)"]);
    });

    it.each(["Atproto", "-atproto", "atproto-", "at_proto", "a".repeat(64), ""])("rejects the cache name %j", (name) => {
        const problems = problemsOf({ cache: { name, publicKeys: [ATPROTO_KEY] } });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^nix-cache:cache\.name: .* is not valid; expected lowercase letters, digits and hyphens/);
    });

    it.each(["a", "nix-community", "a".repeat(63), "0x1"])("accepts the cache name %j", (name) => {
        const key = `${name}.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=`;
        expect(problemsOf({ cache: { name, publicKeys: [key] } })).toEqual([]);
    });

    it.each([
        ["no colon", "atproto.cachix.org-1mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=", /expected KEYNAME:base64/],
        ["empty name", ":mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=", /expected KEYNAME:base64/],
        ["not base64", "atproto.cachix.org-1:not base64!", /base64 of a 32-byte Ed25519 public key/],
        ["31 bytes", `atproto.cachix.org-1:${Buffer.alloc(31, 1).toString("base64")}`, /32-byte/],
        ["64 bytes (a secret key)", `atproto.cachix.org-1:${Buffer.alloc(64, 1).toString("base64")}`, /32-byte/],
    ])("rejects a public key with %s", (_what, key, expected) => {
        const problems = problemsOf({ cache: { name: "atproto", publicKeys: [key] } });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^nix-cache:cache\.publicKeys\[0\]: /);
        expect(problems[0]).toMatch(expected);
    });

    it("rejects a key whose name does not match the cache", () => {
        const key = "other.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=";
        expect(problemsOf({ cache: { name: "atproto", publicKeys: [key] } })).toEqual([
            'nix-cache:cache.publicKeys[0]: key name "other.cachix.org-1" does not match the cache; expected "atproto.cachix.org-N"',
        ]);
    });

    it("requires at least one public key, when given or when Cachix is not asked", () => {
        // The program reads them from Cachix.
        expect(problemsOf({ cache: { name: "atproto" } })).toEqual([]);
        expect(problemsOf({ cache: { name: "atproto", offline: true } })).toEqual([
            "nix-cache:cache.publicKeys: is required; expected a list of KEYNAME:base64 public keys (with offline: true, Cachix is not asked for them: copy them from the cache's page on Cachix)",
        ]);
        expect(() => loadStackModel(rawConfig({ cache: { name: "atproto" } }), { mode: "render" })).toThrow(
            "nix-cache:cache.publicKeys: is required; expected a list of KEYNAME:base64 public keys (render works offline, Cachix is not asked",
        );
        expect(problemsOf({ cache: { name: "atproto", publicKeys: [] } })).toEqual([
            "nix-cache:cache.publicKeys: expected at least 1 item(s); got 0",
        ]);
    });

    it("rejects wrong types with the value and the expectation", () => {
        expect(problemsOf({ cache: { name: 42, publicKeys: ATPROTO_KEY, private: "yes" } })).toEqual([
            "nix-cache:cache.name: expected a string; got 42",
            `nix-cache:cache.publicKeys: expected a list; got "${ATPROTO_KEY}"`,
            'nix-cache:cache.private: expected true or false; got "yes"',
        ]);
        expect(problemsOf({ cache: "atproto" })).toEqual([
            'nix-cache:cache: expected an object with keys name, url, publicKeys, private, overrideUrl, offline, apiUrl, create; got "atproto"',
        ]);
    });

    it("rejects unknown keys and suggests the near miss", () => {
        expect(problemsOf({ cache: { ...MINIMAL.cache, publicKey: [ATPROTO_KEY] } })).toEqual([
            'nix-cache:cache.publicKey: unknown key; did you mean "publicKeys"? expected one of: name, url, publicKeys, private, overrideUrl, offline, apiUrl, create',
        ]);
        expect(problemsOf({ ...MINIMAL, extraCache: [] })[0]).toMatch(/^nix-cache:extraCache: unknown config key; expected one of: nix-cache:cache, /);
    });

    it("ignores other namespaces' keys", () => {
        const raw = rawConfig(MINIMAL);
        const model = loadStackModel({ ...raw, values: { ...raw.values, "aws:region": "eu-west-1", "github:owner": "x" } }, { mode: "apply" });
        expect(model.cache.name).toBe("atproto");
    });

    it("accepts a custom cache URL and rejects a malformed one", () => {
        expect(problemsOf({ cache: { ...MINIMAL.cache, url: "https://cache.example.org/atproto" } })).toEqual([]);
        expect(problemsOf({ cache: { ...MINIMAL.cache, url: "ftp://x" } })).toEqual([
            'nix-cache:cache.url: "ftp://x" is not valid; expected an https://, http:// or file:/// URL without credentials, query or fragment',
        ]);
    });
});

describe("extra caches", () => {
    const community = { name: "nix-community", publicKeys: ["nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="] };

    it("reads Cachix names and URLs", () => {
        const model = loadStackModel(
            rawConfig({ ...MINIMAL, extraCaches: [community, { url: "https://cache.example.org", publicKeys: ["cache.example.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="] }] }),
            { mode: "apply" },
        );
        expect(model.extraCaches).toEqual([
            { url: "https://nix-community.cachix.org", publicKeys: community.publicKeys, cachixName: "nix-community" },
            { url: "https://cache.example.org", publicKeys: ["cache.example.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="] },
        ]);
    });

    it("needs a name or a URL, and keys", () => {
        expect(problemsOf({ ...MINIMAL, extraCaches: [{ publicKeys: community.publicKeys }, { name: "nix-community" }] })).toEqual([
            "nix-cache:extraCaches[0]: needs a Cachix `name` or a `url`",
            "nix-cache:extraCaches[1].publicKeys: is required; expected a list of KEYNAME:base64 public keys",
        ]);
    });

    it("rejects duplicate caches", () => {
        expect(problemsOf({ ...MINIMAL, extraCaches: [community, { ...community, url: "https://nix-community.cachix.org/" }] })).toEqual([
            'nix-cache:extraCaches: duplicate cache URL "https://nix-community.cachix.org"; each must appear once',
        ]);
    });
});

describe("github section", () => {
    const github = { owner: "atproto-nix", repositories: ["nur"] };
    const token = { cachixAuthToken: "token-value-123" };

    it("applies the guide's defaults", () => {
        const model = loadStackModel(rawConfig({ ...MINIMAL, github }, token), { mode: "apply" });
        // No branch: the component looks up the repository's default branch.
        expect(model.github?.repositories).toEqual([{ name: "nur", targets: [] }]);
        expect(model.github?.secret).toEqual({
            scope: "repository",
            visibility: "selected",
            environment: undefined,
            credential: "authToken",
            name: "CACHIX_AUTH_TOKEN",
            authTokenName: "CACHIX_AUTH_TOKEN",
            access: "exact",
        });
        expect(model.github?.workflow.schedule).toBe("51 2 * * *");
        expect(model.github?.workflow.path).toBe(".github/workflows/build.yml");
        expect(model.github?.workflow.actions.cachix).toBe("cachix/cachix-action@v17");
        expect(model.github?.workflow.actions.pin).toBe("commit");
    });

    it("turns the schedule off with false", () => {
        const model = loadStackModel(rawConfig({ ...MINIMAL, github: { ...github, workflow: { schedule: false } } }, token), { mode: "apply" });
        expect(model.github?.workflow.schedule).toBeUndefined();
    });

    it("requires the credential's secret, set as a secret", () => {
        expect(problemsOf({ ...MINIMAL, github })).toEqual([
            'nix-cache:cachixAuthToken: is required by github.secret.credential "authToken"; set it with `pulumi config set --secret cachixAuthToken`',
        ]);
        expect(problemsOf({ ...MINIMAL, github: { ...github, secret: { credential: "signingKey" } } }, token)).toEqual([
            'nix-cache:cachixSigningKey: is required by github.secret.credential "signingKey"; set it with `pulumi config set --secret cachixSigningKey`',
        ]);
        const plain = problemsOf({ ...MINIMAL, github, cachixAuthToken: "plain-token-value" });
        expect(plain).toEqual(["nix-cache:cachixAuthToken: is set in plain text; set it with `pulumi config set --secret cachixAuthToken`"]);
        expect(plain.join("\n")).not.toContain("plain-token-value");
    });

    it("reports every problem of a broken section at once", () => {
        const problems = problemsOf(
            {
                ...MINIMAL,
                github: {
                    owner: "-bad",
                    repositories: ["nur", "NUR", { name: "x", targets: ["ok", "bad target"] }],
                    secret: { scope: "org", visibility: "all", name: "GITHUB_TOKEN" },
                    workflow: { path: "build.yml", schedule: "nightly", actions: { cachix: "cachix-action", pins: { "cachix/cachix-action": "abc", "other/action": "0".repeat(40) } } },
                },
            },
            token,
        );
        expect(problems).toEqual([
            'nix-cache:github.owner: "-bad" is not valid; expected a GitHub user or organisation login (letters, digits, hyphens)',
            'nix-cache:github.repositories[2].targets[1]: "bad target" is not valid; expected a flake attribute such as microcosm-all (letters, digits, \'_\', \'.\', \'+\', \'-\')',
            'nix-cache:github.repositories: duplicate repository "nur"; each must appear once',
            'nix-cache:github.secret.scope: expected one of repository, organization, environment; got "org"',
            'nix-cache:github.secret.name: "GITHUB_TOKEN" is not valid; expected a secret name of letters, digits and underscores, not starting with a digit or GITHUB_',
            'nix-cache:github.secret.visibility: only applies when scope is organization; scope is "repository"',
            'nix-cache:github.workflow.path: "build.yml" is not valid; expected a path like .github/workflows/build.yml (a file name of at most 255 characters)',
            'nix-cache:github.workflow.schedule: "nightly" is not valid; expected a five-field cron expression such as "51 2 * * *" (minute 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, weekday 0-6 or SUN-SAT)',
            'nix-cache:github.workflow.actions.cachix: "cachix-action" is not valid; expected an action reference OWNER/REPO@REF',
            'nix-cache:github.workflow.actions.pins.cachix/cachix-action: "abc" is not valid; expected a full 40-character lowercase commit SHA',
            "nix-cache:github.workflow.actions.pins.other/action: unknown key; expected one of: actions/checkout, cachix/install-nix-action, cachix/cachix-action, aws-actions/configure-aws-credentials",
        ]);
    });

    it("signing-key mode needs the auth token as well: cachix-action pushes with it and signs with the key", () => {
        const signing = { ...MINIMAL, github: { ...github, secret: { credential: "signingKey" } } };
        expect(problemsOf(signing, { cachixSigningKey: "k" })).toEqual([
            'nix-cache:cachixAuthToken: is required by github.secret.credential "signingKey"; set it with `pulumi config set --secret cachixAuthToken`',
        ]);
        expect(problemsOf({ ...signing, cache: { ...MINIMAL.cache, private: true } }, { cachixSigningKey: "k", cachixAuthToken: "t" })).toEqual([]);
        expect(problemsOf({ ...MINIMAL, github: { ...github, secret: { credential: "signingKey", name: "CACHIX_AUTH_TOKEN" } } }, { cachixSigningKey: "k", cachixAuthToken: "t" })).toEqual([
            'nix-cache:github.secret.name: the signing key and the auth token need two secrets; both are named "CACHIX_AUTH_TOKEN"',
        ]);
        expect(problemsOf({ ...MINIMAL, github: { ...github, secret: { authTokenName: "T", access: "additive" } } }, token)).toEqual([
            'nix-cache:github.secret.authTokenName: only applies when credential is signingKey; credential is "authToken"',
            "nix-cache:github.secret.access: only applies to an organization secret with visibility selected",
        ]);
    });

    it("needs an environment name for environment secrets", () => {
        expect(problemsOf({ ...MINIMAL, github: { ...github, secret: { scope: "environment" } } }, token)).toEqual([
            "nix-cache:github.secret.environment: is required when scope is environment; expected an environment name",
        ]);
    });
});

describe("hosts section", () => {
    it("applies defaults", () => {
        const model = loadStackModel(rawConfig({ ...MINIMAL, hosts: [host()] }, withSsh), { mode: "apply" });
        expect(model.hosts[0]).toMatchObject({
            name: "builder",
            kind: "nix",
            ssh: { address: "203.0.113.10", port: 22, user: "root", hostKey: HOST_KEY },
            insecureSkipHostKeyVerification: false,
            auth: { kind: "privateKey", configKey: "sshPrivateKey" },
            trustedUsers: [],
            nixConfDir: "/etc/nix",
            nixosRebuild: "switch",
            restartDaemon: true,
        });
    });

    it("pins host keys unless the opt-out is explicit", () => {
        expect(problemsOf({ ...MINIMAL, hosts: [host({ hostKey: undefined })] }, withSsh)).toEqual([
            'nix-cache:hosts[0].hostKey: is required: host keys are pinned by default; expected "ssh-ed25519 AAAA..." (or set insecureSkipHostKeyVerification: true to accept any key)',
        ]);
        const model = loadStackModel(rawConfig({ ...MINIMAL, hosts: [host({ hostKey: undefined, insecureSkipHostKeyVerification: true })] }, withSsh), { mode: "apply" });
        expect(model.hosts[0].insecureSkipHostKeyVerification).toBe(true);
    });

    it("rejects duplicate names and addresses", () => {
        const problems = problemsOf({ ...MINIMAL, hosts: [host(), host({ address: "203.0.113.11" }), host({ name: "other" })] }, withSsh);
        expect(problems).toEqual([
            'nix-cache:hosts: duplicate host name "builder"; each must appear once',
            'nix-cache:hosts: duplicate host address:port "203.0.113.10:22"; each must appear once',
        ]);
    });

    it("lets user entries share a machine with its nix or nixos entry, one per login user", () => {
        const user = (name: string, login: string) => host({ name, kind: "user", user: login });
        const model = loadStackModel(rawConfig({ ...MINIMAL, hosts: [host(), user("dev", "dev"), user("ops", "ops")] }, withSsh), { mode: "apply" });
        expect(model.hosts.map((h) => h.name)).toEqual(["builder", "dev", "ops"]);
        expect(systemHostsOf(model.hosts[1], model.hosts).map((h) => h.name)).toEqual(["builder"]);
        expect(systemHostsOf(model.hosts[0], model.hosts)).toEqual([]);
        // A machine known only once an Output resolves may be any system entry's.
        const elsewhere = loadStackModel(rawConfig({ ...MINIMAL, hosts: [host(), host({ name: "vm", address: "203.0.113.20" }), user("dev", "dev")] }, withSsh), { mode: "apply" });
        const [builder, vm, dev] = elsewhere.hosts;
        expect(systemHostsOf(dev, elsewhere.hosts).map((h) => h.name)).toEqual(["builder"]);
        expect(systemHostsOf(dev, elsewhere.hosts, (h) => h === vm).map((h) => h.name)).toEqual(["builder", "vm"]);
        expect(systemHostsOf(dev, elsewhere.hosts, (h) => h === dev).map((h) => h.name)).toEqual(["builder", "vm"]);
        expect(systemHostsOf(builder, elsewhere.hosts, () => true)).toEqual([]);
        expect(problemsOf({ ...MINIMAL, hosts: [host(), user("dev", "dev"), user("dev2", "dev")] }, withSsh)).toEqual([
            'nix-cache:hosts: duplicate host address:port "203.0.113.10:22 (kind user, login dev)"; each must appear once',
        ]);
        expect(problemsOf({ ...MINIMAL, hosts: [host(), host({ name: "other", kind: "nixos" })] }, withSsh)).toEqual([
            'nix-cache:hosts: duplicate host address:port "203.0.113.10:22"; each must appear once',
        ]);
    });

    it("requires the SSH key to be a secret, without printing it", () => {
        expect(problemsOf({ ...MINIMAL, hosts: [host()] })).toEqual([
            "nix-cache:hosts[0].privateKeySecret: the SSH private key nix-cache:sshPrivateKey is not set; expected it set with `pulumi config set --secret sshPrivateKey < KEYFILE` (or sshAgent: true)",
        ]);
        const plain = problemsOf({ ...MINIMAL, hosts: [host()], ...withSsh });
        expect(plain).toEqual(["nix-cache:sshPrivateKey: is set in plain text; set it with `pulumi config set --secret sshPrivateKey`"]);
        expect(plain.join("\n")).not.toContain("secret-key-material");
        expect(problemsOf({ ...MINIMAL, hosts: [host({ sshAgent: true })] })).toEqual([]);
    });

    it("accepts a per-host key config name and knows it is not a typo", () => {
        expect(problemsOf({ ...MINIMAL, hosts: [host({ privateKeySecret: "builderKey" })] }, { builderKey: "k" })).toEqual([]);
    });

    it("checks every field", () => {
        const problems = problemsOf(
            {
                ...MINIMAL,
                hosts: [
                    { name: "Bad Name", kind: "debian", address: "bad address", port: 70000, user: "Root", hostKey: "AAAA", trustedUsers: ["ok", "not ok"], nixConfDir: "etc/nix", nixosRebuild: "switch", sshAgent: true },
                    { name: "u", kind: "user", address: "h", hostKey: HOST_KEY, trustedUsers: ["alice"], sshAgent: true },
                    { address: "h2", sshAgent: true, insecureSkipHostKeyVerification: true },
                ],
            },
        );
        expect(problems).toEqual([
            'nix-cache:hosts[0].name: "Bad Name" is not valid; expected lowercase letters, digits and hyphens (used in resource names and paths)',
            'nix-cache:hosts[0].kind: expected one of nixos, nix, user; got "debian"',
            'nix-cache:hosts[0].address: "bad address" is not valid; expected a hostname (letters, digits and inner hyphens, dot-separated), IPv4 or IPv6 address',
            "nix-cache:hosts[0].port: expected an integer from 1 to 65535; got 70000",
            'nix-cache:hosts[0].user: "Root" is not valid; expected a Unix user name',
            'nix-cache:hosts[0].hostKey: "AAAA" is not valid; expected a public host key "TYPE BASE64", e.g. the first two fields of /etc/ssh/ssh_host_ed25519_key.pub',
            'nix-cache:hosts[0].trustedUsers[1]: "not ok" is not valid; expected a Unix user name or @group',
            'nix-cache:hosts[0].nixConfDir: "etc/nix" is not valid; expected an absolute path in normal form (no \'.\', \'..\', \'//\' or trailing \'/\') of letters, digits, \'.\', \'_\', \'-\', \'/\'',
            "nix-cache:hosts[0].nixosRebuild: only applies to hosts of kind nixos",
            "nix-cache:hosts[1].trustedUsers: cannot be set on a user host: trusted-users is a daemon setting that needs root",
            "nix-cache:hosts[2].name: is required; expected a string",
            "nix-cache:hosts[2].kind: is required; expected nixos, nix or user",
        ]);
    });
});

describe("mirror section", () => {
    it("is off without the section or when disabled, yet still checked for typos", () => {
        expect(loadStackModel(rawConfig({ ...MINIMAL, mirror: { enabled: false } }), { mode: "apply" }).mirror).toBeUndefined();
        expect(problemsOf({ ...MINIMAL, mirror: { enabled: false, buket: "x" } })).toEqual([
            'nix-cache:mirror.buket: unknown key; did you mean "bucket"? expected one of: enabled, bucket, region, endpoint, server, publicUrl, public, priority, keyName, previousKeyName, skipUpstreamPaths, retentionDays, ciCredentials, anonymousList, oidcSubjectClaims, oidcProviderArn',
        ]);
    });

    it("applies defaults when enabled", () => {
        const model = loadStackModel(rawConfig({ ...MINIMAL, mirror: { bucket: "atproto-nix-cache" } }), { mode: "apply" });
        expect(model.mirror).toEqual({
            bucket: "atproto-nix-cache", region: "us-east-1", endpoint: undefined, public: true, priority: 50,
            keyName: "atproto-mirror-1", retentionDays: undefined, ciCredentials: "oidc", oidcProviderArn: undefined, anonymousList: false, skipUpstreamPaths: true,
        });
    });

    it("validates bucket, region and priority", () => {
        expect(problemsOf({ ...MINIMAL, mirror: { bucket: "Bad_Bucket", region: "mars", priority: -1 } })).toEqual([
            'nix-cache:mirror.bucket: "Bad_Bucket" is not valid; expected an S3 bucket name: 3-63 lowercase letters, digits, \'.\' or \'-\'',
            'nix-cache:mirror.region: "mars" is not valid; expected an AWS region such as us-east-1, or auto (R2)',
            "nix-cache:mirror.priority: expected an integer from 0 to 1000; got -1",
        ]);
    });
});

describe("the whole stack", () => {
    it("reports problems from every section in one pass", () => {
        const problems = problemsOf({
            cache: { name: "BAD", publicKeys: ["nope"] },
            github: { owner: "ok", repositories: ["a", "a"] },
            hosts: [host({ port: 0 })],
            mirror: { bucket: "x" },
            typo: 1,
        });
        const sections = new Set(problems.map((p) => p.split(/[.:[]/).slice(0, 2).join(":")));
        expect([...sections]).toEqual(
            expect.arrayContaining(["nix-cache:cache", "nix-cache:github", "nix-cache:hosts", "nix-cache:mirror", "nix-cache:typo", "nix-cache:cachixAuthToken"]),
        );
        expect(problems.length).toBeGreaterThanOrEqual(7);
    });

    it("renders missing secrets as fine in render mode but not in apply mode", () => {
        const values = { ...MINIMAL, github: { owner: "o", repositories: ["r"] }, hosts: [host()] };
        expect(() => loadStackModel(rawConfig(values), { mode: "render" })).not.toThrow();
        expect(() => loadStackModel(rawConfig(values), { mode: "apply" })).toThrow(ConfigValidationError);
    });
});
