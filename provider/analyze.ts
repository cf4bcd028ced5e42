/**
 * The schema, read off the components' TypeScript by `@pulumi/pulumi`'s component analyzer
 * (the args' doc comments become its descriptions). The one generator of the schema: the
 * checkout's plugin (./index.ts) serves it, and the library build (./build.ts) ships it.
 * The analyzer starts from this directory's tsconfig.json and index.ts and follows imports; it
 * loads the TypeScript compiler, which is why the shipped plugin never imports this module.
 */
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { PROJECT_NAME } from "../components/config/projectName";
import { COMPONENTS } from "../components/provider/componentProvider";

/** The package's version (the project's package.json): the schema and generated SDKs carry it. */
export function packageVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
}

/** The schema as JSON text. Slow (a TypeScript program of the components); call it once. */
export async function analyzeSchema(): Promise<string> {
    const analyzer = new ComponentProvider({ name: PROJECT_NAME, version: packageVersion(), dirname: __dirname, components: Object.values(COMPONENTS) });
    return analyzer.getSchema();
}
