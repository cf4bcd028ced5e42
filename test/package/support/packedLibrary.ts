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
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
};

/** Packages a consumer has beside the library besides its dependencies and peer. */
const CONSUMER_TOOLS = ["@types/node", "typescript"];

/**
 * `npm pack` (its prepack builds dist/), then the tarball unpacked into `dir/node_modules`
 * (`dir` is made if missing), with its dependencies and its peer @pulumi/pulumi linked from
 * this project's node_modules (the same versions npm would install, without a registry).
 * Packing is serialised across test files, since each rebuilds dist/ in place.
 */
export function packLibrary(dir: string): PackedLibrary {
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
    for (const dependency of [...Object.keys(MANIFEST.dependencies), ...Object.keys(MANIFEST.peerDependencies), ...CONSUMER_TOOLS]) {
        fs.mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true });
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", dependency), path.join(modules, dependency));
    }
    return { packed, packageDir, tarball };
}
