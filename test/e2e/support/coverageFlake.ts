import * as fs from "fs";
import * as path from "path";
import { execOk } from "../../../scripts/localhost/exec";

const NIX_FLAGS = ["--extra-experimental-features", "nix-command flakes"];

/**
 * A flake with no inputs (nothing to fetch) whose packages are `derivation`s of `/bin/sh`, for
 * this machine's system and for `foreign`, which is only ever evaluated. `nonce` makes every
 * store path new, so no earlier run or other cache has it. `multi` has two outputs.
 */
export function writeCoverageFlake(dir: string, nonce: string, native: string, foreign: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const pkg = (system: string, name: string) =>
        `derivation { name = "${name}-${nonce}"; system = "${system}"; builder = "/bin/sh"; args = [ "-c" "echo ${name} ${nonce} > $out" ]; }`;
    const multi = (system: string) =>
        `derivation { name = "multi-${nonce}"; system = "${system}"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; args = [ "-c" "echo out > $out; echo dev > $dev" ]; }`;
    const packages = (system: string) => [
        `    packages.${system} = {`,
        `      hello = ${pkg(system, "hello")};`,
        `      multi = ${multi(system)};`,
        `      lonely = ${pkg(system, "lonely")};`,
        `      stranger = ${pkg(system, "stranger")};`,
        `      local = ${pkg(system, "local")};`,
        `      default = ${pkg(system, "hello")};`,
        "    };",
    ];
    const text = ["{", "  outputs = { self }: {", ...packages(native), ...packages(foreign), "  };", "}", ""].join("\n");
    fs.writeFileSync(path.join(dir, "flake.nix"), text);
}

/**
 * Builds every output of `packages.SYSTEM.TARGET` of the flake (`nix build` of Nix 2.8 builds
 * only the default one, and has no `^*`); its outputs by name.
 */
export async function buildFlakeTarget(dir: string, system: string, target: string): Promise<Record<string, string>> {
    const attr = `path:${dir}#packages.${system}.${target}`;
    const drvPath = await execOk("nix", [...NIX_FLAGS, "eval", "--raw", `${attr}.drvPath`]);
    await execOk("nix-store", ["--realise", drvPath]);
    const apply = 'd: builtins.listToAttrs (map (name: { inherit name; value = d.${name}.outPath; }) (d.outputs or [ "out" ]))';
    return JSON.parse(await execOk("nix", [...NIX_FLAGS, "eval", "--json", attr, "--apply", apply])) as Record<string, string>;
}

/** Copies `paths` into the `file://` cache `cacheDir`, signed with `secretFile`. */
export async function copySigned(paths: readonly string[], cacheDir: string, secretFile: string): Promise<void> {
    await execOk("nix", [...NIX_FLAGS, "copy", "--to", `file://${cacheDir}?secret-key=${secretFile}`, ...paths]);
}
