import * as path from "path";
import { PROJECT_ROOT } from "../../cli/args";
import { execOk } from "./exec";

/** The Debian releases a builder host can run in, and the Nix version each one ships. */
export const NIX_ROOT_RELEASES = { bookworm: "2.8", trixie: "2.26", forky: "2.34" } as const;

export type NixRootRelease = keyof typeof NIX_ROOT_RELEASES;

/** Where the roots are kept between runs (git-ignored, like the rest of .tools). */
export const NIX_ROOTS_DIR = path.join(PROJECT_ROOT, ".tools", "nixroots");

/**
 * The root of `release` with its Nix and sshd (scripts/nixroots.sh), built on first use and
 * reused after; throws with the build's output when it cannot be built.
 */
export async function ensureNixRoot(release: NixRootRelease): Promise<string> {
    await execOk("bash", [path.join(PROJECT_ROOT, "scripts", "nixroots.sh"), NIX_ROOTS_DIR, release]);
    return path.join(NIX_ROOTS_DIR, release);
}
