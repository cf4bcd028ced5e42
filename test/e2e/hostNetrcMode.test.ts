import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderHost, startBuilderHost } from "../../scripts/localhost/builderHost";
import { RemoteRun } from "../../components/hosts/hostCommands";
import { commandsFor, testStack } from "./support/hostStack";
import { requireBuilderHost } from "./support/requirements";

// The netrc's token is never in a file others can read, at any moment of apply, rotation or
// destroy. Every program the scripts change files with (cat, cp, mv, chmod, chown, rm, awk)
// runs through a wrapper that, once the real program is done, records the mode of every file
// holding a token under the Nix config dir and the scripts' temporary dir. A file changes only
// through these programs (or a shell redirection whose writer is one of them), so the log sees
// every state a file with a token is ever in.

const requirements = requireBuilderHost(["awk", "grep", "stat"]);
const TOKENS = ["netrc-mode-first.0123", "netrc-mode-second.4567"];
const WRAPPED = ["cat", "cp", "mv", "chmod", "chown", "rm", "awk"];
// The host's own netrc, readable by everyone as many are: the token must not inherit that.
const OWN_NETRC = "machine own.example.org login me password not-a-secret-of-ours\n";

let host: BuilderHost;
let wrappers: string;
let tmp: string;
let log: string;

beforeAll(async () => {
    if (requirements.skip) {
        return;
    }
    host = await startBuilderHost({ ownNixConf: "" });
    wrappers = path.join(host.dir, "wrappers");
    tmp = path.join(host.dir, "tmp");
    log = path.join(host.dir, "token-files.log");
    fs.mkdirSync(wrappers);
    fs.mkdirSync(tmp);
    for (const program of WRAPPED) {
        const real = ["/usr/bin", "/bin"].map((dir) => path.join(dir, program)).find((file) => fs.existsSync(file));
        const scan = TOKENS.map((token) => `-e '${token}'`).join(" ");
        fs.writeFileSync(
            path.join(wrappers, program),
            [
                "#!/bin/sh",
                `${real} "$@"`,
                "nc_rc=$?",
                `/usr/bin/grep -rlF ${scan} '${host.nixConfDir}' '${tmp}' 2>/dev/null | while read -r f; do`,
                `  printf '%s %s %s\\n' ${program} "$(/usr/bin/stat -c %a "$f")" "$f" >> '${log}'`,
                "done",
                "exit $nc_rc",
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
    }
    fs.writeFileSync(path.join(host.nixConfDir, "netrc"), OWN_NETRC, { mode: 0o644 });
    fs.chmodSync(path.join(host.nixConfDir, "netrc"), 0o644);
});

afterAll(async () => {
    await host?.remove();
});

const stack = () => testStack({ url: "http://127.0.0.1:9", publicKey: "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=", private: true }, host, { kind: "nix" });
const watched = (command: RemoteRun): RemoteRun => ({ ...command, line: `PATH='${wrappers}':$PATH TMPDIR='${tmp}'; export PATH TMPDIR; ${command.line}` });

/** Each recorded state of a file holding a token: program, mode, file. */
function states(): { program: string; mode: string; file: string }[] {
    if (!fs.existsSync(log)) {
        return [];
    }
    return fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) => {
            const [program, mode, file] = line.split(" ");
            return { program, mode, file };
        });
}

describe.skipIf(requirements.skip)("the netrc's mode at every moment a token is in it (real sshd + Nix)", () => {
    it("apply, rotation and destroy never leave a token in a file others can read", async () => {
        const { commands } = commandsFor(stack());
        const netrc = path.join(host.nixConfDir, "netrc");
        expect((await host.run("root", commands.apply)).code).toBe(0);
        for (const token of TOKENS) {
            const result = await host.run("root", watched(commands.netrcApply!), token);
            expect(result.code, result.stderr).toBe(0);
            expect(fs.readFileSync(netrc, "utf8")).toBe(`machine 127.0.0.1 password ${token}\n${OWN_NETRC}`);
        }
        const destroy = await host.run("root", watched(commands.netrcDestroy!));
        expect(destroy.code, destroy.stderr).toBe(0);
        expect(fs.readFileSync(netrc, "utf8")).toBe(OWN_NETRC);
        expect(fs.statSync(netrc).mode & 0o777).toBe(0o644);

        const seen = states();
        // The wrappers did observe: the netrc itself, and the temporary files it was made from.
        expect(seen.some((s) => s.file === netrc)).toBe(true);
        expect(seen.some((s) => s.file.startsWith(`${netrc}.nix-cache-tmp`))).toBe(true);
        expect(seen.some((s) => s.file.startsWith(tmp))).toBe(true);
        expect(seen.filter((s) => (parseInt(s.mode, 8) & 0o077) !== 0)).toEqual([]);
    });
});
