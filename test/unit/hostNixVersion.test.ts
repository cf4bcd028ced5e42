import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { libraryFunctions } from "../../components/hosts/scriptParts";
import { functionsCalled } from "../../components/hosts/shellFunctions";

// The one Nix-version probe of the host scripts, and the commands that depend on it, with a fake
// `nix` on PATH printing what each release prints for --version (the real Nix 2.8, 2.26 and 2.34
// run in test/e2e/hostNixVersions.test.ts).

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nix-cache-version-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `call` with the library functions it needs, a fake nix answering `--version` with `line` (or failing). */
function run(line: string | undefined, call: string): string {
    const bin = path.join(dir, "bin");
    fs.rmSync(bin, { recursive: true, force: true });
    fs.mkdirSync(bin);
    const version = line === undefined ? "exit 1" : `echo '${line}'`;
    fs.writeFileSync(path.join(bin, "nix"), `#!/bin/sh\ncase "$*" in --version) ${version} ;; *) echo "ran: $*" ;; esac\n`, { mode: 0o755 });
    const functions = functionsCalled([call], libraryFunctions()).map((fn) => fn.text);
    const result = spawnSync("/bin/sh", ["-c", [...functions, call].join("\n")], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(result.stderr).toBe("");
    return result.stdout.trim();
}

describe("the Nix version, read once for every version-dependent command", () => {
    it.each([
        ["nix (Nix) 2.3.16", "2003"],
        ["nix (Nix) 2.8.0", "2008"],
        ["nix (Nix) 2.19.3", "2019"],
        ["nix (Nix) 2.24.0pre20240101_dirty", "2024"],
        ["nix (Determinate Nix 3.6.2) 2.29.0", "2029"],
        ["nix-env (Nix) 1.11.16", "1011"],
    ])("%s is %s", (line, number) => {
        expect(run(line, "nc_nix_version")).toBe(number);
    });

    it("is 0 when nix does not answer", () => {
        expect(run(undefined, "nc_nix_version")).toBe("0");
    });

    it("picks `nix config show` from Nix 2.20 on, `nix show-config` before", () => {
        expect(run("nix (Nix) 2.19.3", "nc_nix_show")).toBe("ran: --extra-experimental-features nix-command show-config");
        expect(run("nix (Nix) 2.20.0", "nc_nix_show")).toBe("ran: --extra-experimental-features nix-command config show");
        expect(run("nix (Determinate Nix 3.6.2) 2.29.0", "nc_nix_show")).toBe("ran: --extra-experimental-features nix-command config show");
    });
});
