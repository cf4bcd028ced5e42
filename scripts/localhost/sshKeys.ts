import * as fs from "fs";
import { execOk } from "./exec";

/** Generates a key pair (ed25519 unless `type` says) at `file` (and `file.pub`); returns the `TYPE BASE64` public key. */
export async function generateSshKey(file: string, type: "ed25519" | "rsa" = "ed25519"): Promise<string> {
    await execOk("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "nix-cache-localhost", "-f", file]);
    return fs.readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}
