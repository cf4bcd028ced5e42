/**
 * The component provider: serves the six components to programs in any Pulumi language
 * (`pulumi package add`, `get-schema`, `gen-sdk`). The language host runs this directory as a
 * plugin (PulumiPlugin.yaml); the schema is read off the components' TypeScript types, so the
 * args' doc comments are the schema's descriptions. Importing this module starts the provider:
 * only the plugin run imports it.
 */
import * as fs from "fs";
import * as path from "path";
import { main } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { CacheIdentity } from "../components/cacheIdentity";
import { CacheSetup } from "../components/cacheSetup";
import { GithubCi } from "../components/githubCi";
import { MirrorCiSecrets } from "../components/mirrorCiSecrets";
import { NixHost } from "../components/nixHost";
import { S3Mirror } from "../components/s3Mirror";

// The library's version is the package's: the schema and generated SDKs carry it.
const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string };
const provider = new ComponentProvider({
    name: "nix-cache",
    version,
    dirname: __dirname,
    components: [CacheSetup, CacheIdentity, NixHost, GithubCi, S3Mirror, MirrorCiSecrets],
});
void main(provider, process.argv.slice(2));
