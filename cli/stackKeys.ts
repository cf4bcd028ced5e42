import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HostSpec } from "../components/config/model";
import { PulumiConfigOptions, runPulumi } from "./pulumiCli";

/** Reads the secret `nix-cache:KEY` of the stack's config (decrypted); the value is never printed. */
export type StackSecretReader = (configKey: string) => Promise<string>;

/**
 * {@link StackSecretReader} through `pulumi config get`, as `pulumi up` reads it: with the
 * stack's backend and secrets provider (e.g. `PULUMI_CONFIG_PASSPHRASE`) from the environment.
 */
export function pulumiConfigReader(stack: string, options: PulumiConfigOptions = {}): StackSecretReader {
    return async (configKey) => {
        const args = ["config", "get", `nix-cache:${configKey}`, "--stack", stack, ...(options.configFile === undefined ? [] : ["--config-file", options.configFile])];
        try {
            return await runPulumi(args, options);
        } catch (error) {
            throw new Error(
                `cannot read the stack's SSH key nix-cache:${configKey} (pulumi config get: ${(error as Error).message}); ` +
                    "make the stack's secrets readable here (pulumi login, PULUMI_CONFIG_PASSPHRASE) or pass --identity SSH_KEY_FILE",
            );
        }
    };
}

/** The config keys of the SSH private keys `hosts` log in with; none for agent hosts. */
export function privateKeyNames(hosts: readonly Pick<HostSpec, "auth">[]): string[] {
    return [...new Set(hosts.flatMap((host) => (host.auth.kind === "privateKey" ? [host.auth.configKey] : [])))];
}

/**
 * Runs `use` with the stack's SSH keys written to private files (mode 0600, in a directory of
 * mode 0700), by config key; the files are removed afterwards. The system `ssh` reads a key only
 * from a file, never from its command line.
 */
export async function withStackKeys<T>(configKeys: readonly string[], read: StackSecretReader, use: (files: ReadonlyMap<string, string>) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-keys-"));
    try {
        const files = new Map<string, string>();
        for (const configKey of configKeys) {
            const key = await read(configKey);
            const file = path.join(dir, configKey);
            // OpenSSH refuses a key file without its final newline.
            fs.writeFileSync(file, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
            files.set(configKey, file);
        }
        return await use(files);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
