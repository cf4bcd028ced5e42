import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStackModel } from "../../components/config/load";
import { trustedCaches } from "../../components/config/trustedCaches";
import { renderNixConfLines } from "../../components/render/nixConf";
import { renderCachixLayout, renderNixosModule } from "../../components/render/nixosModule";
import { MINIMAL, rawConfig } from "../support/config";
import { NIX_LIB_STANDIN, nixShowConfig, words } from "../support/nix";
import { requireTools, run } from "../support/tools";

const tools = requireTools(["nix", "nix-instantiate"], "install Debian's nix-bin (bash scripts/system-deps.sh)");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "identity-nix-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const COMMUNITY_KEY = "nix-community.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=";
const trusted = trustedCaches(
    loadStackModel(rawConfig({ ...MINIMAL, extraCaches: [{ name: "nix-community", publicKeys: [COMMUNITY_KEY] }] }), { mode: "render" }),
);

describe.skipIf(tools.skip)("identity artifacts read by real Nix (Debian nix-bin)", () => {
    it("nix.conf lines give exactly the declared substituters and keys", () => {
        const confDir = path.join(work, "conf");
        fs.mkdirSync(confDir);
        fs.writeFileSync(path.join(confDir, "nix.conf"), renderNixConfLines(trusted));
        const effective = nixShowConfig(confDir);
        expect(words(effective["substituters"])).toEqual(trusted.substituters);
        expect(words(effective["trusted-public-keys"])).toEqual(trusted.trustedPublicKeys);
    });

    it("the NixOS module parses with nix-instantiate --parse and sets exactly the declared lists", () => {
        const file = path.join(work, "module.nix");
        fs.writeFileSync(file, renderNixosModule(trusted));
        run(tools.paths["nix-instantiate"], ["--parse", file]);
        const settings = JSON.parse(run(tools.paths["nix-instantiate"], ["--eval", "--strict", "--json", "--expr", `(import ${file}).nix.settings`]));
        expect(settings).toEqual({ substituters: trusted.substituters, "trusted-public-keys": trusted.trustedPublicKeys });
    });

    it("the cachix-layout files parse, and the glue imports every cache file with its settings", () => {
        const root = path.join(work, "etc-nixos");
        for (const file of renderCachixLayout(trusted)) {
            fs.mkdirSync(path.dirname(path.join(root, file.path)), { recursive: true });
            fs.writeFileSync(path.join(root, file.path), file.content);
            run(tools.paths["nix-instantiate"], ["--parse", path.join(root, file.path)]);
        }
        // A file `cachix use` wrote by hand next to ours is imported too; a non-.nix file is not.
        fs.writeFileSync(path.join(root, "cachix/handmade.nix"), '{ nix.settings.substituters = [ "https://handmade.cachix.org" ]; }\n');
        fs.writeFileSync(path.join(root, "cachix/README"), "not a module\n");
        // Evaluate the glue with the few lib functions it uses, then collect what its imports set.
        const expression = `
          let
            lib = ${NIX_LIB_STANDIN};
            glue = import ${root}/cachix.nix { inherit lib; };
            modules = map import glue.imports;
            collect = option: builtins.concatMap (m: m.nix.settings.\${option} or [ ]) ([ glue ] ++ modules);
          in { substituters = collect "substituters"; keys = collect "trusted-public-keys"; }`;
        const result = JSON.parse(run(tools.paths["nix-instantiate"], ["--eval", "--strict", "--json", "--expr", expression])) as {
            substituters: string[];
            keys: string[];
        };
        expect([...result.substituters].sort()).toEqual([...trusted.substituters, "https://handmade.cachix.org"].sort());
        expect([...result.keys].sort()).toEqual([...trusted.trustedPublicKeys].sort());
    });
});
