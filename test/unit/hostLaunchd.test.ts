import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { libraryFunctions } from "../../components/hosts/scriptParts";
import { functionsCalled } from "../../components/hosts/shellFunctions";

// macOS cannot run here: the launchd branch of the restart runs under sh with a fake
// `launchctl` on PATH, which answers `print` for the labels a test loads and records every call.

const FAKE_LAUNCHCTL = `#!/bin/sh
echo "$*" >> "$LAUNCHCTL_CALLS"
case $1 in
    print) for l in $LAUNCHCTL_LOADED; do [ "$2" = "system/$l" ] && exit 0; done; exit 113 ;;
    kickstart) exit "\${LAUNCHCTL_KICKSTART_EXIT:-0}" ;;
esac
exit 2
`;

let dirs: string[] = [];
afterEach(() => {
    dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
    dirs = [];
});

/** Runs the library's nc_launchd_restart against a LaunchDaemons dir holding `plists`. */
function restart(options: { plists?: string[]; loaded?: string[]; kickstartExit?: number }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-launchd-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "bin"));
    fs.mkdirSync(path.join(dir, "LaunchDaemons"));
    fs.writeFileSync(path.join(dir, "bin", "launchctl"), FAKE_LAUNCHCTL, { mode: 0o755 });
    for (const plist of options.plists ?? []) {
        fs.writeFileSync(path.join(dir, "LaunchDaemons", `${plist}.plist`), "<plist/>\n");
    }
    const functions = functionsCalled(["nc_launchd_restart"], libraryFunctions()).map((fn) => fn.text);
    const script = ["say() { printf 'nix-cache: %s\\n' \"$*\"; }", ...functions, 'nc_launchd_restart "$1"'].join("\n");
    const calls = path.join(dir, "calls");
    const result = spawnSync("sh", ["-c", script, "sh", path.join(dir, "LaunchDaemons")], {
        encoding: "utf8",
        env: {
            PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
            LAUNCHCTL_CALLS: calls,
            LAUNCHCTL_LOADED: (options.loaded ?? []).join(" "),
            LAUNCHCTL_KICKSTART_EXIT: String(options.kickstartExit ?? 0),
        },
    });
    const kickstarts = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter((l) => l.startsWith("kickstart")) : [];
    return { code: result.status, stdout: result.stdout, kickstarts };
}

describe("nix-daemon restart under launchd (macOS), with a fake launchctl", () => {
    it("uses Determinate's label when its plist is present, even if the official one is loaded too", () => {
        const result = restart({ plists: ["systems.determinate.nix-daemon"], loaded: ["org.nixos.nix-daemon"] });
        expect(result.code).toBe(0);
        expect(result.kickstarts).toEqual(["kickstart -k system/systems.determinate.nix-daemon"]);
        expect(result.stdout).toContain("restarted nix-daemon (launchd, systems.determinate.nix-daemon)");
    });

    it("uses Determinate's label when it is loaded without a plist in the dir", () => {
        expect(restart({ loaded: ["systems.determinate.nix-daemon"] }).kickstarts).toEqual(["kickstart -k system/systems.determinate.nix-daemon"]);
    });

    it("uses the official installer's label otherwise", () => {
        expect(restart({ plists: ["org.nixos.nix-daemon"] }).kickstarts).toEqual(["kickstart -k system/org.nixos.nix-daemon"]);
        expect(restart({ loaded: ["org.nixos.nix-daemon"] }).kickstarts).toEqual(["kickstart -k system/org.nixos.nix-daemon"]);
    });

    it("restarts nothing, and says so, when launchd knows neither label", () => {
        const result = restart({});
        expect(result.code).toBe(0);
        expect(result.kickstarts).toEqual([]);
        expect(result.stdout).toContain("launchd runs no nix-daemon");
    });

    it("fails when the kickstart fails, so apply rolls back", () => {
        expect(restart({ plists: ["systems.determinate.nix-daemon"], kickstartExit: 5 }).code).toBe(1);
    });
});
