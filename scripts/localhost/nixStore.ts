import * as fs from "fs";
import * as path from "path";
import { exec, execOk } from "./exec";

/** `nix` subcommands need this on Nix 2.8. */
const NIX_COMMAND = ["--extra-experimental-features", "nix-command"];

/** A fresh signing key pair named `keyName`, as `nix-store --generate-binary-cache-key` makes it. */
export async function generateCacheKey(dir: string, keyName: string): Promise<{ secretFile: string; publicKey: string }> {
    const secretFile = path.join(dir, `${keyName}.sk`);
    const publicFile = path.join(dir, `${keyName}.pk`);
    await execOk("nix-store", ["--generate-binary-cache-key", keyName, secretFile, publicFile]);
    return { secretFile, publicKey: fs.readFileSync(publicFile, "utf8").trim() };
}

/**
 * Builds the derivation `expression`, copies its output signed with `secretFile` into the
 * `file://` cache `cacheDir`, and deletes it from this machine's store: a host sharing that
 * store can then only get the path by substituting it. Returns the output path.
 */
export async function buildIntoCache(expression: string, cacheDir: string, secretFile: string): Promise<string> {
    const storePath = (await execOk("nix-build", ["--no-out-link", "-E", expression])).trim().split("\n").pop()!;
    await execOk("nix", [...NIX_COMMAND, "copy", "--to", `file://${cacheDir}?secret-key=${secretFile}`, storePath]);
    await deleteStorePath(storePath);
    return storePath;
}

/** Removes a path from the local store again, so the next `nix-store -r` must substitute it. */
export async function deleteStorePath(storePath: string): Promise<void> {
    const result = await exec("nix-store", ["--delete", storePath]);
    if (result.code !== 0 && !/not valid|does not exist/.test(result.stderr)) {
        throw new Error(`nix-store --delete ${storePath}: ${result.stderr}`);
    }
}
