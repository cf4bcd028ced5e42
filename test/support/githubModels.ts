import { loadStackModel } from "../../components/config/load";
import { GithubSpec, StackModel } from "../../components/config/model";
import { ATPROTO_KEY, rawConfig } from "./config";

/** A real Cachix cache to pull from, with its published key. */
export const NIX_COMMUNITY = {
    name: "nix-community",
    publicKeys: ["nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs="],
};

/** A non-Cachix cache: trusted, but not something cachix-action can pull by name. */
export const PLAIN_CACHE = {
    url: "https://cache.example.org",
    publicKeys: ["cache.example.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk="],
};

/** Commit SHAs to pin to (well-formed; the checkers do not resolve them). */
export const PINS = {
    "actions/checkout": "11bd71901bbe5b1630ceea73d27597364c9af683",
    "cachix/install-nix-action": "526118121621777ccd86f79b04685a9319637641",
    "cachix/cachix-action": "0fc020193b5a1fa3ac4575aa3a7d3aa6a35435ad",
};

/** The guide's repository section, the base every variant changes. */
export const ATPROTO_GITHUB = {
    owner: "atproto-nix",
    repositories: [{ name: "nur", branch: "main", targets: ["microcosm-all", "tangled-all"] }],
    secret: { scope: "repository", credential: "authToken" },
    workflow: { schedule: "51 2 * * *" },
};

/** A validated model with the guide's cache and the given `github` section. */
export function githubModel(github: Record<string, unknown>, extra: Record<string, unknown> = {}): StackModel & { github: GithubSpec } {
    const model = loadStackModel(rawConfig({ cache: { name: "atproto", publicKeys: [ATPROTO_KEY] }, github, ...extra }), { mode: "render" });
    if (model.github === undefined) {
        throw new Error("githubModel: no github section");
    }
    // The model itself, not a copy: its arguments are the document it was loaded from.
    return model as StackModel & { github: GithubSpec };
}

/** One named point of the configuration space. */
export interface Variant {
    readonly name: string;
    readonly github: Record<string, unknown>;
    readonly extra?: Record<string, unknown>;
}

const repos = [
    { name: "nur", targets: ["microcosm-all", "tangled-all"] },
    { name: "infra", branch: "trunk" },
];

/** Secret scopes x credentials x extras x targets x pins x trigger switches. */
export const CONFIG_SPACE: readonly Variant[] = [
    { name: "guide", github: ATPROTO_GITHUB },
    { name: "repo-signing-key", github: { ...ATPROTO_GITHUB, secret: { credential: "signingKey" } } },
    { name: "org-all", github: { ...ATPROTO_GITHUB, repositories: repos, secret: { scope: "organization", visibility: "all" } } },
    { name: "org-private", github: { ...ATPROTO_GITHUB, repositories: repos, secret: { scope: "organization", visibility: "private" } } },
    {
        name: "org-selected-signing-key",
        github: { ...ATPROTO_GITHUB, repositories: repos, secret: { scope: "organization", visibility: "selected", credential: "signingKey" } },
    },
    {
        name: "environment",
        github: { ...ATPROTO_GITHUB, repositories: repos, secret: { scope: "environment", environment: "cachix", createEnvironment: true } },
    },
    {
        name: "environment-signing-key-custom-name",
        github: { ...ATPROTO_GITHUB, secret: { scope: "environment", environment: "nix cache", credential: "signingKey", name: "NUR_CACHIX_KEY" } },
    },
    {
        name: "environment-managed-mirror",
        github: { ...ATPROTO_GITHUB, repositories: repos, secret: { scope: "environment", environment: "cachix", manageEnvironment: true } },
        extra: { mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } },
    },
    {
        name: "systems-matrix",
        github: {
            ...ATPROTO_GITHUB,
            repositories: [{ name: "nur", targets: ["microcosm-all", "tangled-all"], targetsBySystem: { "aarch64-darwin": ["darwin-tools"] } }, "infra"],
            workflow: {
                systems: ["x86_64-linux", "aarch64-linux", { system: "aarch64-darwin", runsOn: "macos-15" }],
                flakeCheck: true,
                timeoutMinutes: 90,
                cachixOptions: { pushFilter: "(-source$|nixpkgs\\.tar\\.gz$)", useDaemon: false, cachixArgs: "--compression-level 9" },
            },
        },
    },
    {
        name: "systems-environment-flake-check",
        github: {
            ...ATPROTO_GITHUB,
            secret: { scope: "environment", environment: "cachix" },
            workflow: { systems: ["x86_64-linux", "aarch64-darwin"], flakeCheck: true },
        },
        extra: { mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } },
    },
    {
        name: "determinate-installer",
        github: {
            ...ATPROTO_GITHUB,
            workflow: { flakeCheck: true, extraNixConfig: "accept-flake-config = true", actions: { installNix: "DeterminateSystems/nix-installer-action@v21" } },
        },
    },
    { name: "default-build", github: { ...ATPROTO_GITHUB, repositories: ["nur"] } },
    { name: "extra-caches", github: ATPROTO_GITHUB, extra: { extraCaches: [NIX_COMMUNITY, PLAIN_CACHE] } },
    { name: "extra-caches-default-build", github: { ...ATPROTO_GITHUB, repositories: ["nur"] }, extra: { extraCaches: [NIX_COMMUNITY] } },
    { name: "pinned", github: { ...ATPROTO_GITHUB, workflow: { actions: { pins: PINS } } } },
    { name: "tag-references", github: { ...ATPROTO_GITHUB, workflow: { actions: { pin: "tag" } } } },
    {
        name: "older-majors-pinned-from-table",
        github: { ...ATPROTO_GITHUB, workflow: { actions: { checkout: "actions/checkout@v4", cachix: "cachix/cachix-action@v16" } } },
        extra: { mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } },
    },
    {
        name: "pinned-custom-versions",
        github: {
            ...ATPROTO_GITHUB,
            workflow: {
                actions: { checkout: "actions/checkout@v5", cachix: "cachix/cachix-action@v17", pins: { "cachix/cachix-action": PINS["cachix/cachix-action"] } },
            },
        },
    },
    {
        name: "minimal-triggers",
        github: {
            ...ATPROTO_GITHUB,
            workflow: { schedule: false, pullRequests: false, workflowDispatch: false, concurrency: false, verify: false },
        },
    },
    {
        name: "customised",
        github: {
            ...ATPROTO_GITHUB,
            workflow: {
                path: ".github/workflows/nix-cache.yaml",
                name: "Nix cache",
                schedule: "0 4 * * 1",
                runsOn: "ubuntu-24.04",
                extraNixConfig: "accept-flake-config = true\nmax-jobs = auto",
                commitMessage: "chore: nix cache workflow",
                commitAuthor: "Cache Bot",
                commitEmail: "cache-bot@example.org",
            },
        },
    },
    { name: "private-cache", github: ATPROTO_GITHUB, extra: { cache: { name: "atproto", publicKeys: [ATPROTO_KEY], private: true } } },
    { name: "mirror-oidc", github: { ...ATPROTO_GITHUB, repositories: repos }, extra: { mirror: { bucket: "atproto-nix-cache", region: "eu-west-1" } } },
    {
        name: "mirror-access-keys-pinned",
        github: { ...ATPROTO_GITHUB, workflow: { actions: { pins: { "aws-actions/configure-aws-credentials": PINS["actions/checkout"] } } } },
        extra: { mirror: { bucket: "atproto-nix-cache", ciCredentials: "accessKeys" } },
    },
    { name: "mirror-custom-endpoint", github: ATPROTO_GITHUB, extra: { mirror: { bucket: "nix-cache", endpoint: "https://s3.example.org" } } },
    {
        name: "mirror-rotating-bound-to-workflow",
        github: { ...ATPROTO_GITHUB, repositories: repos },
        extra: { mirror: { bucket: "atproto-nix-cache", keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1", oidcSubjectClaims: ["repo", "context", "job_workflow_ref"] } },
    },
    {
        name: "mirror-r2-rotating",
        github: ATPROTO_GITHUB,
        extra: {
            mirror: {
                bucket: "nix-cache", endpoint: "https://0123abcd.r2.cloudflarestorage.com", server: "r2", region: "auto", publicUrl: "https://pub-0123.r2.dev",
                keyName: "atproto-mirror-2", previousKeyName: "atproto-mirror-1",
            },
        },
    },
];

/** The model of a variant. */
export function variantModel(variant: Variant): StackModel & { github: GithubSpec } {
    return githubModel(variant.github, variant.extra ?? {});
}
