import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../../cli/args";
import { run } from "../../support/tools";

/** What `npm pack --json` reports of the tarball it made. */
export interface PackResult {
    readonly name: string;
    readonly version: string;
    readonly filename: string;
    readonly files: readonly { readonly path: string }[];
}

/** The packed library, installed into `dir/node_modules` the way npm lays it out. */
export interface PackedLibrary {
    readonly packed: PackResult;
    /** `dir/node_modules/nix-cache`: the tarball's contents. */
    readonly packageDir: string;
    /** The tarball itself. */
    readonly tarball: string;
}

/** The project's package.json: what the package depends on and what it expects beside it. */
export const MANIFEST = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
    license: string;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** The peers a program installs only for the parts that use them (@pulumi/aws, @pulumi/github). */
export const OPTIONAL_PEERS = Object.keys(MANIFEST.peerDependencies).filter((name) => MANIFEST.peerDependenciesMeta[name]?.optional === true);

/** Options of {@link packLibrary}. */
export interface PackOptions {
    /** Install the optional peers beside the library too (false: a program that uses neither the mirror nor GitHub). */
    readonly optionalPeers?: boolean;
}

/** Packages a consumer has beside the library besides its dependencies and peer. */
const CONSUMER_TOOLS = ["@types/node", "typescript"];

/**
 * `npm pack` (its prepack builds dist/), then the tarball unpacked into `dir/node_modules`
 * (`dir` is made if missing), with its dependencies and its peers linked from this project's
 * node_modules (the same versions npm would install, without a registry): @pulumi/pulumi, and
 * the optional peers only when asked. Packing is serialised across test files, since each
 * rebuilds dist/ in place.
 */
export function packLibrary(dir: string, options: PackOptions = {}): PackedLibrary {
    fs.mkdirSync(dir, { recursive: true });
    const lock = path.join(PROJECT_ROOT, "node_modules", ".nix-cache-pack.lock");
    const output = run("flock", [lock, "npm", "pack", "--json", "--pack-destination", dir, "--loglevel=error"], { cwd: PROJECT_ROOT });
    // prepack's build output comes first; the JSON report is the last thing npm prints.
    const packed = (JSON.parse(output.slice(output.lastIndexOf("\n[") + 1)) as PackResult[])[0];
    const modules = path.join(dir, "node_modules");
    const packageDir = path.join(modules, packed.name);
    const tarball = path.join(dir, packed.filename);
    fs.mkdirSync(packageDir, { recursive: true });
    run("tar", ["-xzf", tarball, "-C", packageDir, "--strip-components=1"]);
    const peers = Object.keys(MANIFEST.peerDependencies).filter((name) => options.optionalPeers === true || !OPTIONAL_PEERS.includes(name));
    for (const dependency of [...Object.keys(MANIFEST.dependencies), ...peers, ...CONSUMER_TOOLS]) {
        fs.mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true });
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", dependency), path.join(modules, dependency));
    }
    return { packed, packageDir, tarball };
}
