import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { createEngineStack, EngineStack } from "../../../scripts/localhost/engine/engineStack";
import { requireTools } from "../../support/tools";

/** What an engine test of dynamic resources needs: the pinned CLI and its plugins. */
export function requireDynamicEngine(): { skip: boolean } {
    return requireTools(["pulumi", "pulumi-resource-command", "pulumi-resource-pulumi-nodejs"], "run `bash scripts/toolchain.sh pulumi command`");
}

/** A fresh engine stack whose program the test sets ({@link setProgram}), able to run the project's dynamic resources. */
export async function createDynamicStack(name: string): Promise<EngineStack> {
    const engine = await createEngineStack(name);
    // The dynamic-provider host resolves the SDK from the workspace, as from a program's own directory.
    fs.symlinkSync(path.resolve("node_modules"), path.join(engine.dirs.work, "node_modules"));
    return engine;
}

/** Makes `program` the stack's inline program for the next operations. */
export function setProgram(engine: EngineStack, program: () => Promise<void>): void {
    (engine.stack.workspace as LocalWorkspace).program = program;
}
