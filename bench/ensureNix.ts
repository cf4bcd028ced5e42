import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BenchOptions } from "./part";

function hasNix(): boolean {
    const tools = ["nix", "nix-store", "nix-instantiate"];
    return tools.every((tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0);
}

/**
 * Makes sure Nix is installed, the way the test suite installs it (`scripts/system-deps.sh`,
 * which needs root). Returns why the part must be skipped, or undefined when Nix is ready.
 */
export function ensureNix(options: BenchOptions): string | undefined {
    if (hasNix()) {
        return undefined;
    }
    const script = path.join(options.root, "scripts", "system-deps.sh");
    if (process.getuid?.() !== 0 || !fs.existsSync(script)) {
        return "Nix is not installed; run `sudo bash scripts/system-deps.sh`, then `npm run bench` again";
    }
    options.log("substitution: Nix is missing; installing it with scripts/system-deps.sh");
    const install = spawnSync("bash", [script], { cwd: options.root, stdio: ["ignore", "inherit", "inherit"] });
    if (install.status !== 0 || !hasNix()) {
        return "Nix is not installed and scripts/system-deps.sh could not install it";
    }
    return undefined;
}
