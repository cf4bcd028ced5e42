import { CACHE_NIXOS_ORG } from "../config/trustedCaches";

/** The name of cache.nixos.org's key, the part of its signatures before the colon. */
export const UPSTREAM_KEY_NAME = CACHE_NIXOS_ORG.publicKeys[0].split(":")[0];

/**
 * A jq program reading `nix path-info --json` and printing the store paths without a signature
 * of cache.nixos.org's key: what the mirror needs, the rest being served by cache.nixos.org
 * itself. A path carries that signature on a machine only when it was substituted from there
 * (Nix checks it against the trusted key). Reads both of Nix's JSON forms: the list of objects
 * (before 2.19) and the object keyed by store path (since).
 */
export const NOT_UPSTREAM_JQ =
    '(if type == "array" then .[] else to_entries[] | (.value // {}) + {path: .key} end)' +
    ` | select(((.signatures // []) | map(startswith("${UPSTREAM_KEY_NAME}:")) | any) | not) | .path`;
