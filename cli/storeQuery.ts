import { execFile } from "child_process";
import type { LookupResult } from "./narinfo";

/**
 * `nix path-info --json --store URL PATH`: what a store Nix reaches (`file://`, `s3://`) says
 * about the path, as a narinfo. Nix's memory of earlier answers is turned off, so a path
 * pushed a minute ago is seen now.
 */
export function lookupWithNix(url: string, storePath: string): Promise<LookupResult> {
    const args = [
        "--extra-experimental-features",
        "nix-command",
        "path-info",
        "--json",
        "--store",
        url,
        "--option",
        "narinfo-cache-negative-ttl",
        "0",
        "--option",
        "narinfo-cache-positive-ttl",
        "0",
        storePath,
    ];
    return new Promise((resolve) => {
        execFile("nix", args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            let entry: { valid?: boolean; narHash?: string; narSize?: number; downloadSize?: number; references?: string[]; signatures?: string[] } | undefined;
            try {
                entry = (JSON.parse(stdout) as (typeof entry)[])[0];
            } catch {
                entry = undefined;
            }
            if (entry?.valid === false) {
                resolve({ kind: "absent" });
            } else if (entry?.narHash !== undefined && entry.narSize !== undefined) {
                const info = { storePath, narHash: entry.narHash, narSize: entry.narSize, references: entry.references ?? [], signatures: entry.signatures ?? [] };
                resolve({ kind: "present", info: entry.downloadSize === undefined ? info : { ...info, fileSize: entry.downloadSize } });
            } else {
                const why = stderr.split("\n").map((l) => l.trim()).find((l) => l.startsWith("error:")) ?? (error ? `exit ${String(error.code)}` : "no answer");
                resolve({ kind: "error", reason: `${url} could not be asked: ${why}` });
            }
        });
    });
}
