import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Where the figures were measured: they mean little without it. */
export interface MachineInfo {
    readonly cpu: string;
    readonly cores: number;
    readonly memory: string;
    readonly os: string;
    readonly node: string;
    readonly nix: string;
    /** Dependencies as installed (package.json's spec when not installed). */
    readonly packages: Readonly<Record<string, string>>;
}

function cpuModel(): string {
    const cpuinfo = fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "";
    return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
}

function osName(): string {
    const release = fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "";
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1] ?? os.type();
    return `${pretty}, kernel ${os.release()} (${os.arch()})`;
}

function nixVersion(): string {
    const nix = spawnSync("nix", ["--version"], { encoding: "utf8" });
    return nix.status === 0 ? nix.stdout.trim() : "not installed";
}

/** The runtime dependencies plus the tools that run the benchmark. */
function packageVersions(root: string): Record<string, string> {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
    };
    const wanted: Record<string, string> = { ...manifest.dependencies };
    for (const tool of ["tsx", "typescript"]) {
        const spec = manifest.devDependencies?.[tool];
        if (spec !== undefined) {
            wanted[tool] = spec;
        }
    }
    const versions: Record<string, string> = {};
    for (const [name, spec] of Object.entries(wanted)) {
        const installed = path.join(root, "node_modules", name, "package.json");
        versions[name] = fs.existsSync(installed) ? (JSON.parse(fs.readFileSync(installed, "utf8")) as { version: string }).version : `${spec} (package.json)`;
    }
    return versions;
}

export function machineInfo(root: string): MachineInfo {
    return {
        cpu: cpuModel(),
        cores: os.cpus().length,
        memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
        os: osName(),
        node: process.version,
        nix: nixVersion(),
        packages: packageVersions(root),
    };
}

/** The 1-minute load average: other work on the machine skews timings. */
export function loadAverage(): string {
    return os.loadavg()[0].toFixed(2);
}
