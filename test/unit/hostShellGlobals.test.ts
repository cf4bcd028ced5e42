import { describe, expect, it } from "vitest";
import { LIBRARY_PARTS, ScriptPart, scriptPart } from "../../components/hosts/scriptParts";
import { parseShellFunctions } from "../../components/hosts/shellFunctions";
import { assignedNames, globalsHeader, globalsProblems, LibraryFunction, scriptGlobalsProblems } from "../support/shellGlobals";

const LIBRARY: LibraryFunction[] = LIBRARY_PARTS.flatMap((part) => parseShellFunctions(scriptPart(part), `sh/${part}.sh`).map((fn) => ({ ...fn, file: `${part}.sh` })));
const BODIES: ScriptPart[] = ["conf-apply", "conf-destroy", "nixos-apply", "nixos-destroy", "netrc-apply", "netrc-destroy", "verify", "detect"];

/** A library of the given files, each a list of shell lines. */
function library(files: Record<string, string[]>): LibraryFunction[] {
    return Object.entries(files).flatMap(([file, lines]) => parseShellFunctions(lines.join("\n"), file).map((fn) => ({ ...fn, file })));
}

describe("the shell library's globals", () => {
    it("are each declared in a header line of the function assigning them, and used", () => {
        expect(globalsProblems(LIBRARY)).toEqual([]);
    });

    it("do not overwrite a script's own variables", () => {
        for (const body of BODIES) {
            expect(scriptGlobalsProblems(body, `${scriptPart("prelude")}\n${scriptPart(body)}`, LIBRARY), body).toEqual([]);
        }
    });

    it("include the results each script reads", () => {
        const sets = (name: string) => globalsHeader(LIBRARY.find((fn) => fn.name === name)!.text).sets;
        expect(sets("nc_resolve_conf_dir")).toEqual(["nc_conf_dir", "nc_backup"]);
        expect(sets("nc_nixos_dir")).toEqual(["nc_dir", "nc_nixos_backup"]);
    });
});

describe("the globals check", () => {
    it("finds an assignment without a header, and a header naming nothing assigned", () => {
        const lib = library({ "a.sh": ["nc_a() {", "    nc_x=1", "}", "", "# scratch: nc_y", "nc_b() { :; }"] });
        expect(globalsProblems(lib)).toEqual(["nc_a (a.sh) assigns nc_x without declaring it in `# sets:` or `# scratch:`", "nc_b (a.sh) declares nc_y but never assigns it"]);
    });

    it("sees `for` and `read` variables, and not awk's, a string's or a comment's", () => {
        const text = [
            "nc_a() {",
            "    for nc_f in $1; do :; done",
            "    while IFS= read -r nc_k nc_v _; do :; done < x",
            `    awk -v nc_p="$1" 'BEGIN { x=1 }'`,
            `    say "it's nc_q=1 here" # nc_r=2`,
            "    NIX_CONF_DIR=/x nc_s=$(echo 'nc_t=3')",
            "}",
        ].join("\n");
        expect([...assignedNames(text)].sort()).toEqual(["nc_f", "nc_k", "nc_s", "nc_v"]);
    });

    it("finds one global set in two files, as when two functions fill nc_backup for different dirs", () => {
        const lib = library({
            "lib-conf.sh": ["# sets: nc_backup", "nc_resolve_conf_dir() { nc_backup=/etc/nix/b; }"],
            "lib-nixos.sh": ["# sets: nc_backup", "nc_nixos_dir() { nc_backup=/etc/nixos/b; }"],
        });
        expect(globalsProblems(lib)).toEqual(["nc_backup is assigned in lib-conf.sh and lib-nixos.sh: a global belongs to one file, so it says one thing"]);
    });

    it("finds a callee overwriting its caller's working variable, and a result used as scratch", () => {
        const lib = library({
            "a.sh": ["# scratch: nc_s", "nc_ask() { for nc_s in a; do :; done; }", "", "# scratch: nc_s", "nc_view() {", "    for nc_s in b; do nc_ask; done", "}"],
            "b.sh": ["# sets: nc_r", "nc_c() { nc_r=1; }", "", "# scratch: nc_r", "nc_d() { nc_r=2; }"],
        });
        expect(globalsProblems(lib)).toEqual(["nc_view has its own nc_s, which nc_ask (called by it) overwrites", "nc_d uses nc_r as scratch, but it is a result of nc_c"]);
        expect(scriptGlobalsProblems("apply", "for nc_s in x; do nc_view; done", lib)).toEqual([
            "apply has its own nc_s, which nc_ask (called by it) overwrites",
            "apply has its own nc_s, which nc_view (called by it) overwrites",
        ]);
    });
});
