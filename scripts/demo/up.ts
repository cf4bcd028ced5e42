import * as fs from "fs";
import * as path from "path";
import { deleteStorePath } from "../localhost/nixStore";
import { requireTool } from "../../cli/localStack";
import { DemoLayout, shown } from "./layout";
import { describeChanges, upSummary } from "./report";
import { DemoSession } from "./session";

/** Writes a line to the terminal. */
export type Say = (text: string) => void;

/**
 * `pulumi up` on the demo stack, then proof that the host substitutes the demo path from the
 * cache. Throws when either fails.
 */
export async function demoUp(session: DemoSession, layout: DemoLayout, say: Say): Promise<void> {
    const { host, cache, declaration } = session;
    if (cache === undefined) {
        throw new Error("demoUp needs the session's binary cache");
    }
    say(`Builder host  ${declaration.hostName}: sshd on 127.0.0.1:${host.port} with this machine's Nix, config dir ${shown(host.nixConfDir)}`);
    say(`Binary cache  ${cache.url}, signed by ${cache.publicKey.split(":")[0]}, holding ${cache.storePath}`);
    say("");
    say("== pulumi up");
    const logins = host.logins();
    const result = await session.stack.up({ onOutput: (text) => process.stdout.write(text) });
    const loginsDuringUp = host.logins() - logins;
    const changes = describeChanges(result.summary.resourceChanges);

    say("");
    say(`== The host substitutes from the cache: nix-store -r ${cache.storePath} (on ${declaration.hostName}, over SSH)`);
    // The host shares this machine's store: make sure the path can only come from the cache.
    await deleteStorePath(cache.storePath);
    // No cached narinfo either way: a cache at this URL from an earlier demo had another key.
    const fetched = await host.run("root", `nix-store -r ${cache.storePath} --option narinfo-cache-negative-ttl 0 --option narinfo-cache-positive-ttl 0`);
    await deleteStorePath(cache.storePath);
    const output = `${fetched.stdout}${fetched.stderr}`;
    if (fetched.code !== 0 || !output.includes(`from '${cache.url}'`)) {
        throw new Error(`the host did not substitute ${cache.storePath} from ${cache.url}:\n${output}`);
    }
    for (const line of output.split("\n").filter((l) => /copying path|^\/nix\/store/.test(l))) {
        say(`  ${line}`);
    }
    say("  The host trusted the cache's key and fetched the path from it.");

    const managedConf = fs.readFileSync(path.join(host.nixConfDir, "nix-cache.conf"), "utf8");
    say(
        upSummary({
            layout,
            hostName: declaration.hostName,
            changes: changes.text,
            noop: changes.noop,
            logins: loginsDuringUp,
            managedConf,
            nixConfDir: host.nixConfDir,
            pulumi: requireTool("pulumi"),
        }),
    );
}
