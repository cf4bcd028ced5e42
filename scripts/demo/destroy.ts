import * as fs from "fs";
import * as path from "path";
import { deleteStorePath } from "../localhost/nixStore";
import { demoStorePath } from "./demoCache";
import { DEMO_STACK, DemoLayout, shown } from "./layout";
import { DemoSession } from "./session";
import { Say } from "./up";

/**
 * `pulumi destroy` on the demo stack, then a check that the host has exactly its own files
 * back. Throws when either fails; the caller removes .demo/ only after success.
 */
export async function demoDestroy(session: DemoSession, layout: DemoLayout, say: Say): Promise<void> {
    say("== pulumi destroy");
    await session.stack.destroy({ onOutput: (text) => process.stdout.write(text) });
    const nixConfDir = session.host.nixConfDir;
    const files = fs.readdirSync(nixConfDir);
    const conf = fs.readFileSync(path.join(nixConfDir, "nix.conf"), "utf8");
    if (files.length !== 1 || conf !== session.host.ownNixConf) {
        throw new Error(`the host's files are not as before: ${shown(nixConfDir)} holds ${files.join(", ")}; nix.conf:\n${conf}`);
    }
    say("");
    say(`The host's nix.conf is back byte for byte and nothing else is left in ${shown(nixConfDir)}.`);
    await session.stack.workspace.removeStack(DEMO_STACK);
    const storePath = demoStorePath(layout.cache);
    if (storePath !== undefined) {
        await deleteStorePath(storePath);
    }
}
