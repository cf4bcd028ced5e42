import { loadStackModel } from "../components/config/load";
import { PROJECT_NAME, StackModel } from "../components/config/model";

const CACHE_KEY = "atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=";
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHY/Iqipe4Qb5bqdBeZIfnl+bTHJsvFeNhntxrITnIYm";

/** Placeholder secret values: only their presence and secrecy matter under mocks. */
export const SCALE_SECRETS = {
    cachixAuthToken: "bench-cachix-token",
    sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nbench-key-material\n",
};

/**
 * The raw stack config of an organisation with `hosts` builder hosts and `repos` GitHub
 * repositories: the guide's public cache, `nix` hosts with pinned keys and one trusted user,
 * and repository-scoped secrets, the defaults a real organisation would start from.
 */
export function scaleConfig(hosts: number, repos: number): Record<string, unknown> {
    const values: Record<string, unknown> = {
        cache: { name: "atproto", publicKeys: [CACHE_KEY] },
        hosts: Array.from({ length: hosts }, (_, i) => ({
            name: `builder-${i}`,
            kind: "nix",
            // Distinct addresses: the model rejects two hosts at the same address and port.
            address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            hostKey: HOST_KEY,
            trustedUsers: ["ci"],
        })),
        github: {
            owner: "atproto-nix",
            repositories: Array.from({ length: repos }, (_, i) => ({ name: `repo-${i}`, targets: ["default"] })),
        },
        ...SCALE_SECRETS,
    };
    return values;
}

/** The validated model of {@link scaleConfig}, loaded as `pulumi up` loads it. */
export function scaleModel(hosts: number, repos: number): StackModel {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(scaleConfig(hosts, repos))) {
        values[`${PROJECT_NAME}:${key}`] = value;
    }
    const secretKeys = new Set(Object.keys(SCALE_SECRETS).map((key) => `${PROJECT_NAME}:${key}`));
    return loadStackModel({ values, secretKeys }, { mode: "apply" });
}
