import { RawStackConfig } from "../../components/config/load";
import { ConfigValidationError } from "../../components/config/problems";

/** The guide's cache public key. */
export const ATPROTO_KEY = "atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=";
/** A well-formed host key for test hosts. */
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHY/Iqipe4Qb5bqdBeZIfnl+bTHJsvFeNhntxrITnIYm";

/** A raw config from un-namespaced keys; `secrets` lists keys that are set as secrets. */
export function rawConfig(values: Record<string, unknown>, secrets: Record<string, string> = {}): RawStackConfig {
    const all: Record<string, unknown> = {};
    for (const [key, value] of Object.entries({ ...values, ...secrets })) {
        all[`nix-cache:${key}`] = value;
    }
    return { values: all, secretKeys: new Set(Object.keys(secrets).map((k) => `nix-cache:${k}`)) };
}

/** The smallest valid config: the guide's cache. */
export const MINIMAL = { cache: { name: "atproto", publicKeys: [ATPROTO_KEY] } };

/** The problems `load` throws, as `path: message` lines (none when it returns). */
export function problemLines(load: () => unknown): string[] {
    try {
        load();
        return [];
    } catch (error) {
        if (!(error instanceof ConfigValidationError)) {
            throw error;
        }
        return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
}
