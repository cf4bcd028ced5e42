import * as fs from "fs";
import { execOk } from "./exec";

/** Generates an ed25519 key pair at `file` (and `file.pub`); returns the `TYPE BASE64` public key. */
export async function generateSshKey(file: string): Promise<string> {
    await execOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "nix-cache-localhost", "-f", file]);
    return fs.readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}
