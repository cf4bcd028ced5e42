import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { StackModel, TrustedCacheSpec } from "../../components/config/model";
import { hostCommands } from "../../components/hosts/hostCommands";
import { hostScripts, HostScripts } from "../../components/hosts/hostScripts";
import { hostPayload, HostPayload } from "../../components/hosts/payload";
import { scriptBundle, scriptLine } from "../../components/hosts/remoteCommand";
import { LIBRARY_PARTS, libraryFunctions, scriptPart } from "../../components/hosts/scriptParts";
import { functionsCalled, namesUsed, parseShellFunctions } from "../../components/hosts/shellFunctions";
import { heredocWrite, shQuote } from "../../components/formats/shell";
import { renderNetrc } from "../../components/render/netrc";
import { ATPROTO_KEY, HOST_KEY, rawConfig } from "../support/config";
import { findTool } from "../support/tools";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "host-scripts-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The test hosts; `caches` adds cache settings or replaces the atproto cache. */
function model(isPrivate: boolean, caches: Record<string, unknown> = {}): StackModel {
    return loadStackModel(
        rawConfig(
            {
                cache: { name: "atproto", publicKeys: [ATPROTO_KEY], private: isPrivate },
                ...caches,
                hosts: [
                    { name: "n", kind: "nix", address: "192.0.2.1", hostKey: HOST_KEY, trustedUsers: ["ci", "@wheel"], nixConfDir: "/opt/nix/etc" },
                    { name: "u", kind: "user", address: "192.0.2.2", user: "dev", hostKey: HOST_KEY },
                    { name: "o", kind: "nixos", address: "192.0.2.3", hostKey: HOST_KEY, trustedUsers: ["ci"], nixosRebuild: "boot" },
                ],
            },
            { cachixAuthToken: "x", sshPrivateKey: "x" },
        ),
        { mode: "apply" },
    );
}

const CASES: [string, HostPayload][] = [false, true].flatMap((isPrivate) => {
    const m = model(isPrivate);
    return m.hosts.map((host) => [`${host.kind}${isPrivate ? " (private cache)" : ""}`, hostPayload(m, host)] as [string, HostPayload]);
});

function sh(shell: string, script: string, env: NodeJS.ProcessEnv = {}, input = "") {
    return spawnSync(shell, ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH, ...env }, input });
}

/** The part of a script before the library: declarations and content functions. */
function prefix(script: string): string {
    return script.slice(0, script.indexOf("# ---- nix-cache shell library"));
}

const shellcheck = findTool("shellcheck");
const SH_DIR = path.join(__dirname, "..", "..", "components", "hosts", "sh");
const PRELUDE = scriptPart("prelude");

describe.each(CASES)("scripts of a %s host", (_, payload) => {
    const scripts = hostScripts(payload);
    const entries = Object.entries(scripts) as [keyof HostScripts, string][];

    it("has the scripts its kind needs, netrc ones only for a private cache", () => {
        const names = entries.map(([name]) => name);
        expect(names).toEqual(payload.netrcMachine === undefined ? ["apply", "destroy", "verify", "detect"] : ["apply", "destroy", "verify", "detect", "netrcApply", "netrcDestroy"]);
        for (const [, script] of entries) {
            expect(script.startsWith("#!/bin/sh\n")).toBe(true);
            expect(script).toContain(`(kind ${payload.host.kind})`);
            expect(script).not.toMatch(/<secret:/);
        }
    });

    it.each(["dash", "bash"])("every script and command line parses under %s", (shell) => {
        const commands = Object.values(hostCommands(scripts, payload.host.kind)).map((c) => c!.line);
        for (const text of [...entries.map(([, s]) => s), ...commands]) {
            const result = spawnSync(shell, ["-n"], { input: text, encoding: "utf8" });
            expect(result.stderr).toBe("");
            expect(result.status).toBe(0);
        }
    });

    it.skipIf(!shellcheck)("shellcheck finds nothing in the scripts or the command lines", () => {
        // SC2034 (unused variable) stays on: a script declares only what it reads. SC2317: code
        // after a function that may exit. SC2016: the command line single-quotes the script.
        for (const [name, script] of entries) {
            const result = spawnSync(shellcheck!, ["-s", "sh", "-e", "SC2317", "-"], { input: script, encoding: "utf8" });
            expect(result.stdout, name).toBe("");
        }
        for (const command of Object.values(hostCommands(scripts, payload.host.kind))) {
            const result = spawnSync(shellcheck!, ["-s", "sh", "-e", "SC2016", "-"], { input: command!.line, encoding: "utf8" });
            expect(result.stdout).toBe("");
        }
    });

    it("carries the declared files verbatim (quoted here-documents: nothing expanded)", () => {
        if (payload.nixosFiles !== undefined) {
            const dir = fs.mkdtempSync(path.join(work, "nixos-"));
            const result = sh("sh", `${prefix(scripts.apply)}\nmkdir -p ${dir}/cachix && nc_write_nixos_files ${dir}`);
            expect(result.status, result.stderr).toBe(0);
            for (const file of payload.nixosFiles) {
                expect(fs.readFileSync(path.join(dir, file.path), "utf8")).toBe(file.content);
            }
        } else {
            const file = path.join(work, `managed-${payload.host.name}-${payload.netrcMachine ?? "public"}`);
            const result = sh("sh", `${prefix(scripts.apply)}\nnc_fill_user_dir() { :; }\nnc_write_managed_conf ${file} /x`);
            expect(result.status, result.stderr).toBe(0);
            expect(fs.readFileSync(file, "utf8")).toBe(payload.managedConf);
        }
    });

    it("declares exactly what verify expects", () => {
        const result = sh("sh", `${prefix(scripts.verify)}\nprintf '%s\\n' "$NC_WANT_SUBSTITUTERS" "$NC_WANT_KEYS" "$NC_WANT_USERS" "$NC_NETRC_MACHINE"`);
        const { expected } = payload;
        expect(result.stdout).toBe(
            `${expected.substituters.join(" ")}\n${expected.trustedPublicKeys.join(" ")}\n${expected.trustedUsers.join(" ")}\n${payload.netrcMachine ?? ""}\n`,
        );
    });

    it("carries only the declarations and functions it reads", () => {
        for (const [name, script] of entries) {
            const declared = [...script.matchAll(/^(NC_[A-Z0-9_]+)=/gm)].map((match) => match[1]);
            // The prelude's functions come with every script.
            const defined = [...script.matchAll(/^([a-z_][a-z0-9_]*)\(\) \{/gm)].map((match) => match[1]).filter((fn) => !PRELUDE.includes(`\n${fn}() {`));
            for (const word of [...declared, ...defined]) {
                const uses = script.split("\n").filter((line) => !line.startsWith("#") && new RegExp(`\\b${word}\\b`).test(line));
                // Its definition, and at least one use.
                expect(uses.length, `${name}: ${word}`).toBeGreaterThan(1);
            }
        }
    });
});

describe("netrc commands", () => {
    const caches = {
        useCacheNixosOrg: false,
        extraCaches: [{ url: "https://extra.example.org", publicKeys: ["extra.example.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4="] }],
    };
    const netrcCommands = (m: StackModel, added: TrustedCacheSpec[] = []) =>
        m.hosts.map((host) => {
            const commands = hostCommands(hostScripts(hostPayload(m, host, added)), host.kind);
            return { apply: commands.apply, netrcApply: commands.netrcApply, netrcDestroy: commands.netrcDestroy };
        });

    it("are the same whatever other caches the hosts trust, so adding one does not send the token again", () => {
        const before = netrcCommands(model(true));
        // NixHost builds the netrc commands without the deploy-time caches (the S3 mirror).
        const mirror = { url: "s3://mirror?region=eu-west-1", publicKeys: ["mirror-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4="] };
        const after = netrcCommands(model(true, caches), [mirror]);
        for (const [i, commands] of before.entries()) {
            expect(commands.netrcApply).toBeDefined();
            expect(after[i].netrcApply).toEqual(commands.netrcApply);
            expect(after[i].netrcDestroy).toEqual(commands.netrcDestroy);
            // The settings do change: the models really differ.
            expect(after[i].apply).not.toEqual(commands.apply);
        }
    });

    it("change with the host name of the cache's URL, the netrc machine", () => {
        const before = netrcCommands(model(true));
        const after = netrcCommands(model(true, { cache: { name: "atproto", url: "https://nix.example.org", publicKeys: [ATPROTO_KEY], private: true } }));
        for (const [i, commands] of before.entries()) {
            expect(after[i].netrcApply).not.toEqual(commands.netrcApply);
            expect(after[i].netrcDestroy).not.toEqual(commands.netrcDestroy);
            expect(after[i].netrcApply!.stdin).toContain("nix.example.org");
        }
    });
});

describe("netrc script", () => {
    it("writes the same line as the netrc renderer, with the token from stdin only", () => {
        const payload = CASES.find(([name]) => name === "nix (private cache)")![1];
        const script = hostScripts(payload).netrcApply!;
        expect(script).toContain(`printf 'machine %s password %s\\n' "$NC_NETRC_MACHINE" "$nc_token"`);
        // The first line of stdin: the program follows the token with the netrc's marker.
        expect(script).toContain("nc_stdin=$(cat)");
        expect(script).toContain(`nc_token=$(printf '%s\\n' "$nc_stdin" | sed -n 1p)`);
        const line = sh("sh", `printf 'machine %s password %s\\n' atproto.cachix.org TOKEN`).stdout;
        expect(line).toBe(renderNetrc({ url: "https://atproto.cachix.org" }, "TOKEN"));
    });
});

describe("shell function library", () => {
    const library = parseShellFunctions(
        ["# a", "nc_a() { nc_b; }", "", "# b, with the comment kept", "nc_b() {", "    echo \"$NC_X\"", "}", "nc_b_more() { :; }", "nc_c() { :; }", ""].join("\n"),
        "test.sh",
    );

    it("picks what a script calls, through the functions it calls, and nothing that only shares a prefix", () => {
        expect(library.map((fn) => fn.name)).toEqual(["nc_a", "nc_b", "nc_b_more", "nc_c"]);
        expect(library[1].text).toBe('# b, with the comment kept\nnc_b() {\n    echo "$NC_X"\n}');
        expect(functionsCalled(["# nc_c is only mentioned here\nnc_a"], library).map((fn) => fn.name)).toEqual(["nc_a", "nc_b"]);
        expect(namesUsed(library[1].text).has("NC_X")).toBe(true);
    });

    it("refuses a top-level statement, which would run in some scripts only", () => {
        expect(() => parseShellFunctions("nc_a() { :; }\nset -e\n", "test.sh")).toThrow(/test\.sh:2: only functions and comments/);
    });

    it("reads every sh/lib-*.sh file, each function defined once", () => {
        const files = fs.readdirSync(SH_DIR).filter((name) => /^lib-.*\.sh$/.test(name));
        expect(files.map((name) => name.replace(/\.sh$/, "")).sort()).toEqual([...LIBRARY_PARTS].sort());
        const names = libraryFunctions().map((fn) => fn.name);
        expect(names).toContain("nc_resolve_conf_dir");
        expect(new Set(names).size).toBe(names.length);
    });

    it("guards every destroy with the one destroy guard: another owner's files stay, and it says so", () => {
        for (const body of ["conf-destroy", "nixos-destroy", "netrc-destroy"] as const) {
            expect(scriptPart(body), body).toContain("nc_destroy_guard ");
            expect(scriptPart(body), body).not.toContain("nc_other_owner");
        }
        const backup = fs.mkdtempSync(path.join(work, "backup-"));
        fs.writeFileSync(path.join(backup, "owner"), "nix-cache/first/h\n");
        const functions = functionsCalled(["nc_destroy_guard"], libraryFunctions()).map((fn) => fn.text);
        const guard = (owner: string) =>
            sh("sh", [`say() { printf 'nix-cache: %s\\n' "$*"; }`, ...functions, `nc_destroy_guard ${backup} /etc/nix`, "echo undoing"].join("\n"), { NC_OWNER: owner, NC_OWNER_FILE: "owner" });
        expect(guard("nix-cache/second/h")).toMatchObject({ status: 0, stdout: "nix-cache: nothing to undo for nix-cache/second/h: /etc/nix is managed by nix-cache/first/h, whose files stay as they are\n" });
        expect(guard("nix-cache/first/h")).toMatchObject({ status: 0, stdout: "undoing\n" });
    });

    it("keeps every shell file under 150 lines, readable in one sitting", () => {
        for (const name of fs.readdirSync(SH_DIR)) {
            const lines = fs.readFileSync(path.join(SH_DIR, name), "utf8").split("\n").length - 1;
            expect(lines, name).toBeLessThan(150);
        }
    });
});

describe("shell helpers", () => {
    it("shQuote keeps any text exactly, under dash and bash", () => {
        const nasty = `it's "quoted" $HOME \`id\` \\ ${"${x}"} !x\nline2 *?[a]`;
        for (const shell of ["dash", "bash"]) {
            expect(sh(shell, `printf %s ${shQuote(nasty)}`).stdout).toBe(nasty);
        }
    });

    it("heredocWrite refuses content it could not carry", () => {
        expect(() => heredocWrite('"$1"', "no newline")).toThrow(/must end with a newline/);
        expect(() => heredocWrite('"$1"', "a\nNIX_CACHE_EOF\nb\n")).toThrow(/must not contain a line "NIX_CACHE_EOF"/);
    });
});

describe("remote command line", () => {
    const probe = `printf '%s|%s|' "$1" "it's"; cat`;
    const other = "echo other";

    it.each(["dash", "bash"])("as the login shell %s: runs the named script from stdin under sh, with the session's NIX_CONF_DIR and the data after it", (shell) => {
        for (const kind of ["user", "nix"] as const) {
            const bundle = scriptBundle({ apply: probe, destroy: other }, kind);
            expect(sh(shell, scriptLine("apply"), { NIX_CONF_DIR: "/srv/nix" }, `${bundle}stdin-text\nmore`).stdout).toBe("/srv/nix|it's|stdin-text\nmore");
            expect(sh(shell, scriptLine("apply"), {}, bundle).stdout).toBe("|it's|");
            expect(sh(shell, scriptLine("destroy"), {}, bundle).stdout).toBe("other\n");
        }
    });

    it("names the script it did not find on stdin, and refuses a script with a reserved line", () => {
        const result = sh("dash", scriptLine("verify"), {}, scriptBundle({ apply: probe }, "user"));
        expect(result.status).toBe(1);
        expect(result.stderr).toBe("nix-cache: error: no verify script on stdin\n");
        expect(() => scriptBundle({ apply: "true\n#nix-cache:end\n" }, "nix")).toThrow(/the apply script has a line the stdin bundle reserves/);
    });

    it("is short and the same for every host: an error quoting it never carries a script", () => {
        expect(scriptLine("apply").length).toBeLessThan(600);
        expect(scriptLine("apply")).not.toContain("sudo");
    });

    it("goes through sudo -n for kinds that need root, and never for user hosts", () => {
        expect(scriptBundle({ apply: probe }, "nix")).toContain('nc_a="sudo"; nc_b="-n"');
        expect(scriptBundle({ apply: probe }, "nixos")).toContain("sudo -n true");
        expect(scriptBundle({ apply: probe }, "user")).not.toContain("sudo");
        expect(scriptBundle({ apply: probe }, "nix", "unprivileged")).toBe(scriptBundle({ apply: probe }, "user"));
    });
});
