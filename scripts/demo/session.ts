import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { RawStackConfig } from "../../components/config/load";
import { rawConfigFromStackFile } from "../../components/config/sources";
import { BuilderHost, openBuilderHost } from "../localhost/builderHost";
import { LocalCachix, startLocalCachix } from "../localhost/cachixServer";
import { stackFile } from "../../cli/args";
import { openLocalStack } from "../../cli/localStack";
import { DemoCache, startDemoCache } from "./demoCache";
import { demoConfig, DemoDeclaration, readDemoDeclaration } from "./demoConfig";
import { DEMO_STACK, DemoLayout } from "./layout";

/** The host's own settings (after the machine's, which name no substituter): only the demo's cache can serve it. */
export const DEMO_HOST_NIX_CONF = "# The throwaway builder host's own settings.\n";

/** What a demo run works with: the host and cache it started, and the stack. */
export interface DemoSession {
    readonly declaration: DemoDeclaration;
    readonly host: BuilderHost;
    /** Started for `up` only: destroy needs the host, not the cache. */
    readonly cache?: DemoCache;
    readonly stack: Stack;
    /** Stops the host and the cache; their files stay in .demo/ for the next run. */
    stop(): Promise<void>;
}

/**
 * Starts the throwaway host (and, for `up`, the cache) from what `.demo/` keeps, at the ports
 * the stack file declares, and opens the stack. The same host key, client key and cache key
 * come back every run, so a second `up` finds nothing to change.
 */
export async function startDemoSession(layout: DemoLayout, options: { withCache: boolean; stacksDir?: string }): Promise<DemoSession> {
    const raw = rawConfigFromStackFile(stackFile(DEMO_STACK, options.stacksDir));
    const declaration = readDemoDeclaration(raw);
    await requireFreePort(declaration.hostPort, "the throwaway host");
    if (options.withCache) {
        await requireFreePort(declaration.cachePort, "the binary cache");
        await requireFreePort(declaration.cachixPort, "the local Cachix");
    }
    const host = await openBuilderHost({ dir: layout.host, ownNixConf: DEMO_HOST_NIX_CONF, port: declaration.hostPort });
    let cache: DemoCache | undefined;
    let cachix: LocalCachix | undefined;
    const stop = async () => {
        await host.stop();
        await cache?.close();
        await cachix?.close();
    };
    try {
        await host.start();
        if (options.withCache) {
            cache = await startDemoCache(layout.cache, { keyName: declaration.cacheKeyName, port: declaration.cachePort });
            cachix = await startLocalCachix({ port: declaration.cachixPort });
            describeCache(cachix, raw, cache);
        }
        const stack = await openLocalStack({
            stackName: DEMO_STACK,
            workDir: layout.work,
            stateDir: layout.state,
            pulumiHome: layout.pulumiHome,
            passphrase: passphrase(layout.passphrase),
        });
        if (cache !== undefined) {
            await stack.setAllConfig(configFor(raw, host));
        }
        return { declaration, host, cache, stack, stop };
    } catch (error) {
        await stop();
        throw error;
    }
}

function configFor(raw: RawStackConfig, host: BuilderHost) {
    return demoConfig(raw, { hostKey: host.hostKey, nixConfDir: host.nixConfDir, privateKey: host.privateKey });
}

/** The cache as Cachix would have it: where it is served, whether it is public, its key. */
function describeCache(cachix: LocalCachix, raw: RawStackConfig, cache: DemoCache): void {
    const declared = raw.values["nix-cache:cache"] as { name: string; private?: boolean };
    cachix.caches.set(declared.name, { name: declared.name, uri: cache.url, isPublic: declared.private !== true, publicSigningKeys: [cache.publicKey] });
}

// Made once and kept (mode 0600): the state's secrets are encrypted with it.
function passphrase(file: string): string {
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, `${crypto.randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
    }
    return fs.readFileSync(file, "utf8").trim();
}

async function requireFreePort(port: number, what: string): Promise<void> {
    const server = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (!free) {
        throw new Error(`port ${port} on 127.0.0.1, where the demo runs ${what}, is in use: stop what listens there, or change the port in stacks/Pulumi.local.yaml`);
    }
}
