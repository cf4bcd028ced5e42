import * as fs from "fs";
import * as path from "path";
import { loadStackModel } from "../../../components/config/load";
import { HostSpec, PROJECT_NAME, StackModel, TrustedCacheSpec } from "../../../components/config/model";
import { hostCommands, HostCommands } from "../../../components/hosts/hostCommands";
import { hostScripts } from "../../../components/hosts/hostScripts";
import { hostOwner, hostPayload, HostPayload } from "../../../components/hosts/payload";
import { BuilderHost } from "../../../scripts/localhost/builderHost";
import { rawConfig } from "../../support/config";

/** The test cache as a stack declares it: a self-hosted cache named like a Cachix one. */
export interface TestCache {
    readonly url: string;
    readonly publicKey: string;
    readonly private: boolean;
}

/**
 * A validated stack model with one host on the test builder host, through the same config
 * reader as a real stack. `host` holds extra keys of the host entry (kind, user, ...).
 */
export function testStack(cache: TestCache, builder: Pick<BuilderHost, "port" | "hostKey">, host: Record<string, unknown>): StackModel {
    return loadStackModel(
        rawConfig(
            {
                cache: { name: "e2e", url: cache.url, publicKeys: [cache.publicKey], private: cache.private },
                // The tests have no network: only the local cache.
                useCacheNixosOrg: false,
                hosts: [{ name: "local", address: "127.0.0.1", port: builder.port, hostKey: builder.hostKey, ...host }],
            },
            { cachixAuthToken: "unused-here", sshPrivateKey: "unused-here" },
        ),
        { mode: "apply" },
    );
}

/**
 * The model's host (the first unless named), its payload with the `added` caches (the mirror's),
 * and the exact command lines NixHost hands to remote.Command in stack `stack` of Pulumi project
 * `project` (this program's unless given).
 */
export function commandsFor(
    model: StackModel,
    stack = "e2e",
    options: { host?: string; added?: readonly TrustedCacheSpec[]; project?: string } = {},
): { host: HostSpec; payload: HostPayload; commands: HostCommands } {
    const host = options.host === undefined ? model.hosts[0] : model.hosts.find((h) => h.name === options.host)!;
    const payload = hostPayload(model, host, options.added ?? [], hostOwner(options.project ?? PROJECT_NAME, stack, host));
    return { host, payload, commands: hostCommands(hostScripts(payload), host.kind) };
}

/** Every file under `dir` with its bytes and mtime, to prove what a run did or did not touch. */
export function snapshotDir(dir: string): Record<string, { content: string; mtimeMs: number; mode: number }> {
    const result: Record<string, { content: string; mtimeMs: number; mode: number }> = {};
    if (!fs.existsSync(dir)) {
        return result;
    }
    const walk = (current: string) => {
        for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
            const file = path.join(current, entry.name);
            if (entry.isDirectory()) {
                walk(file);
            } else if (entry.isSymbolicLink()) {
                result[path.relative(dir, file)] = { content: `-> ${fs.readlinkSync(file)}`, mtimeMs: fs.lstatSync(file).mtimeMs, mode: 0 };
            } else {
                const stat = fs.statSync(file);
                result[path.relative(dir, file)] = { content: fs.readFileSync(file, "latin1"), mtimeMs: stat.mtimeMs, mode: stat.mode & 0o777 };
            }
        }
    };
    walk(dir);
    return result;
}
