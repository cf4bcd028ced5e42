/**
 * The checkout's plugin entry: this directory is the package for `pulumi package add
 * <checkout or git URL>/provider` and `get-schema`. It analyzes the components' TypeScript for
 * the schema on first use (run-plugin compiles it with ts-node), which takes a while; the
 * installed package's dist/provider/ serves the schema generated at build time instead.
 * Importing this module starts the provider: only the plugin run imports it.
 */
import { main } from "@pulumi/pulumi/provider";
import { NixCacheProvider } from "../components/provider/componentProvider";
import { analyzeSchema, packageVersion } from "./analyze";

void main(new NixCacheProvider({ version: packageVersion(), schema: analyzeSchema }), process.argv.slice(2));
