import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { INCLUDE_LINES, MANAGED_CONF_NAME } from "../../components/hosts/layout";
import { renderManagedNixConf } from "../../components/hosts/nixConfFragment";
import { nixShowConfig, words } from "../support/nix";
import { requireTools } from "../support/tools";

// What the host layout relies on, checked against the Nix installed here (Debian's 2.8).

const tools = requireTools(["nix"], "install Debian's nix-bin (bash scripts/system-deps.sh)");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "host-nix-semantics-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const KEY = "e2e.cachix.org-1:nwFwvaBUbiLCjv87hHeMXDx6QFDlaCTqC4dqc4iLYt4=";
const managed = renderManagedNixConf({ substituters: ["https://cache.nixos.org", "https://e2e.example.org"], trustedPublicKeys: [KEY], trustedUsers: ["ci"], userNetrc: false });

function confDir(name: string, nixConf: string, withManaged = true): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "nix.conf"), nixConf);
    if (withManaged) {
        fs.writeFileSync(path.join(dir, MANAGED_CONF_NAME), managed);
    }
    return dir;
}

describe.skipIf(tools.skip)("Nix config semantics the host layout relies on (real Nix)", () => {
    it("included at the end, the managed file extends the host's own lists, trusted-users included", () => {
        const own = "substituters = https://own.example.org\ntrusted-users = root alice\n";
        const settings = nixShowConfig(confDir("end", `${own}${INCLUDE_LINES.join("\n")}\n`));
        expect(words(settings["substituters"])).toEqual(["https://own.example.org", "https://cache.nixos.org/", "https://e2e.example.org"]);
        expect(words(settings["trusted-public-keys"])).toContain(KEY);
        expect(words(settings["trusted-users"])).toEqual(["root", "alice", "ci"]);
    });

    it("included before a base setting, the extra-* values are lost (Nix issue 9487): why the include goes last", () => {
        const settings = nixShowConfig(confDir("start", `${INCLUDE_LINES.join("\n")}\nsubstituters = https://own.example.org\n`));
        expect(words(settings["substituters"])).toEqual(["https://own.example.org"]);
    });

    it("on a host with no base settings, Nix's default cache.nixos.org is kept and not listed twice in effect", () => {
        const settings = nixShowConfig(confDir("defaults", `${INCLUDE_LINES.join("\n")}\n`));
        // Written as Nix spells its default, the duplicate is the same string, which Nix skips.
        expect(words(settings["substituters"])).toEqual(["https://cache.nixos.org/", "https://cache.nixos.org/", "https://e2e.example.org"]);
    });

    it("!include tolerates the managed file going missing: Nix keeps working with the host's own settings", () => {
        const settings = nixShowConfig(confDir("missing", `substituters = https://own.example.org\n${INCLUDE_LINES.join("\n")}\n`, false));
        expect(words(settings["substituters"])).toEqual(["https://own.example.org"]);
    });
});
