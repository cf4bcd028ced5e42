/**
 * The shipped plugin's entry (the package's dist/provider/, where the library build also puts
 * PulumiPlugin.yaml, a package.json whose main is this file, and schema.json): it serves the
 * schema generated at build time, so starting the plugin reads no TypeScript. Importing this
 * module starts the provider: only the plugin run imports it, never the library entry.
 */
import * as fs from "fs";
import * as path from "path";
import { main } from "@pulumi/pulumi/provider";
import { ComponentSchema, NixCacheProvider, SCHEMA_FILE } from "./componentProvider";

const schemaFile = path.join(__dirname, SCHEMA_FILE);
if (!fs.existsSync(schemaFile)) {
    throw new Error(`${schemaFile} is missing: this directory is the built plugin, which \`npm run build\` completes (provider/build.ts)`);
}
const text = fs.readFileSync(schemaFile, "utf8");
const { version } = JSON.parse(text) as ComponentSchema;
void main(new NixCacheProvider({ version, schema: () => Promise.resolve(text) }), process.argv.slice(2));
