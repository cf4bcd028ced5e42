import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "./commands";

/** `nix` subcommands need this on Nix 2.8. */
const NIX_COMMAND = ["--extra-experimental-features", "nix-command"];

/** What a benchmark derivation's builder does. */
export type Workload =
    /** CPU-bound: hash this many bytes of zeros; the output is the small digest. */
    | { readonly kind: "cpu"; readonly bytes: number }
    /** Output-bound: write this many bytes of random (incompressible) data. */
    | { readonly kind: "data"; readonly bytes: number };

/**
 * The Nix expression of a derivation that needs nothing but the host's /bin/sh and coreutils
 * (Debian's Nix builds without a sandbox). The nonce makes every derivation new, so nothing is
 * ever found already built or cached.
 */
function expression(workload: Workload, nonce: string): string {
    const script = workload.kind === "cpu"
        ? `head -c ${workload.bytes} /dev/zero | sha256sum > $out`
        : `mkdir $out && head -c ${workload.bytes} /dev/urandom > $out/data`;
    return `derivation {
        name = "nix-cache-bench-${workload.kind}-${nonce}";
        system = builtins.currentSystem;
        builder = "/bin/sh";
        args = [ "-c" ${JSON.stringify(script)} ];
        PATH = "/usr/bin:/bin";
    }`;
}

/** Writes the derivation to the store and returns its .drv path. */
export async function instantiate(workload: Workload, nonce: string): Promise<string> {
    const { stdout } = await run("nix-instantiate", ["--expr", expression(workload, nonce)]);
    return lastLine(stdout);
}

/** Builds the derivation from source, with every substituter turned off. */
export async function buildFromSource(drv: string): Promise<{ outPath: string; ms: number }> {
    const { stdout, ms } = await run("nix-store", ["--realise", drv, "--option", "substituters", ""]);
    return { outPath: lastLine(stdout), ms };
}

/** The path's NAR size in bytes. */
export async function narSize(storePath: string): Promise<number> {
    return Number(lastLine((await run("nix-store", ["--query", "--size", storePath])).stdout));
}

/** Signs the path with the key and copies it into the binary cache directory. */
export async function signAndCopy(storePath: string, secretKeyFile: string, cacheDir: string): Promise<void> {
    await run("nix", [...NIX_COMMAND, "store", "sign", "--key-file", secretKeyFile, storePath]);
    // zstd: xz, Nix's default for file:// caches, took ~28 s to compress 50 MB of random data
    // here. Compression happens at push time and is not timed; decompression is.
    await run("nix", [...NIX_COMMAND, "copy", "--to", `file://${cacheDir}?compression=zstd`, storePath]);
}

/** Deletes paths from the store (the output first, then its .drv); missing ones are fine. */
export async function deletePaths(paths: readonly string[]): Promise<void> {
    for (const storePath of paths) {
        if (fs.existsSync(storePath)) {
            await run("nix-store", ["--delete", storePath]);
        }
    }
}

/**
 * Realises an output path on a configured host: Nix reads only `confDir/nix.conf` (and a fresh,
 * empty home, so no narinfo lookup is cached). Fails when the path cannot be substituted.
 */
export async function substitute(storePath: string, confDir: string): Promise<number> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-bench-home-"));
    try {
        const env = {
            ...process.env,
            NIX_CONF_DIR: confDir,
            NIX_USER_CONF_FILES: "",
            HOME: home,
            XDG_CACHE_HOME: path.join(home, ".cache"),
            XDG_CONFIG_HOME: path.join(home, ".config"),
        };
        return (await run("nix-store", ["--realise", storePath], env)).ms;
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}

function lastLine(text: string): string {
    return text.trim().split("\n").at(-1) ?? "";
}
