import * as fs from "fs";
import * as path from "path";
import { CACHE_NIXOS_ORG } from "../../../components/config/trustedCaches";
import { nixString } from "../../../components/render/nixString";
import { machineNixSettings } from "../../../scripts/localhost/localNix";
import { NIX_LIB_STANDIN } from "../../support/nix";

/**
 * A stand-in for NixOS, since no real NixOS runs here: in a private mount namespace, /etc gets
 * an overlay holding a prepared /etc/nixos, and /run a fresh tmpfs with
 * /run/current-system/nixos-version (what the scripts detect NixOS by) and a stand-in
 * `nixos-rebuild` in /run/current-system/sw/bin. The stand-in evaluates `nix.settings` of
 * configuration.nix and everything it imports with real Nix (a minimal module collector,
 * not the NixOS module system) and writes /etc/nix/nix.conf as a switch would. With an
 * /etc/nixos/flake.nix it does what nixos-rebuild does with one: resolves the link to the
 * flake's directory and reads the flake's source as Nix copies it (of a git flake, only the
 * files in git's index, as `git ls-files` lists them; Nix's own git fetcher is not used, since
 * where Nix falls back to a chroot store its git runs outside this namespace); it then
 * evaluates the configuration.nix there, not the flake's outputs.
 */

/** Files of /etc/nixos before apply, by path relative to it. */
export type PreparedRoot = Readonly<Record<string, string>>;

/**
 * A glue file as an earlier `cachix use` run leaves one (written here in our own words): it
 * imports every regular `*.nix` file of ./cachix and adds cache.nixos.org back.
 */
export const CACHIX_USE_GLUE = `# Written by an earlier \`cachix use\`; imports ./cachix/*.nix.
{ lib, ... }:
let
  dir = ./cachix;
  entries = builtins.readDir dir;
  wanted = lib.filterAttrs (file: type: type == "regular" && lib.hasSuffix ".nix" file) entries;
in
{
  imports = lib.mapAttrsToList (file: _type: dir + "/\${file}") wanted;
  nix.settings.substituters = [ "https://cache.nixos.org/" ];
}
`;

export const HANDMADE_KEY = "handmade.cachix.org-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=";

/** A host's own configuration: it imports ./cachix.nix and trusts alice. */
export const PREPARED_ROOT: PreparedRoot = {
    "configuration.nix": `{ ... }:
{
  imports = [ ./hardware-configuration.nix ./cachix.nix ];
  nix.settings.trusted-users = [ "root" "alice" ];
}
`,
    "hardware-configuration.nix": "{ ... }: { }\n",
    "cachix.nix": CACHIX_USE_GLUE,
    "cachix/handmade.nix": `{
  nix.settings.substituters = [ "https://handmade.cachix.org" ];
  nix.settings.trusted-public-keys = [ "${HANDMADE_KEY}" ];
}
`,
};

// NixOS replaces an option's default once any module defines it; these stand for the defaults.
const EVALUATE = `
{ root }:
let
  lib = ${NIX_LIB_STANDIN};
  load = file: let m = import file; in if builtins.isFunction m then m { inherit lib; config = { }; pkgs = { }; } else m;
  collect = file: let m = load file; in [ m ] ++ builtins.concatMap collect (m.imports or [ ]);
  modules = collect (root + "/configuration.nix");
  defined = name: builtins.concatMap (m: ((m.nix or { }).settings or { }).\${name} or [ ]) modules;
  defaults = {
    substituters = [ "${CACHE_NIXOS_ORG.url}/" ];
    trusted-public-keys = [ "${CACHE_NIXOS_ORG.publicKeys[0]}" ];
    trusted-users = [ "root" ];
  };
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  value = name: let v = defined name; in unique (if v == [ ] then defaults.\${name} else v);
  line = name: "\${name} = \${builtins.concatStringsSep " " (value name)}\\n";
in
builtins.toFile "nix.conf" (${nixString(machineNixSettings())} + line "substituters" + line "trusted-public-keys" + line "trusted-users")
`;

const REBUILD = `#!/bin/sh
# Stand-in for nixos-rebuild (this host is not NixOS); see test/e2e/support/nixosStandIn.ts.
# build: evaluates only. switch, test: evaluate, keep the active nix.conf as the previous
# generation, activate. ACTION --rollback: the previous generation's nix.conf back.
set -eu
echo "$*" >> /run/nixos-rebuild.calls
# Cut short like a dropped SSH session: kill the apply that called us, once.
if [ -e /run/nixos-rebuild.kill ]; then rm -f /run/nixos-rebuild.kill; kill -9 "$PPID"; exit 1; fi
if [ -e /run/nixos-rebuild.fail ]; then echo "stand-in nixos-rebuild: failing as the test asked" >&2; exit 1; fi
if [ "\${2:-}" = --rollback ]; then cp /run/nixos-previous.conf /etc/nix/nix.conf; exit 0; fi
if [ -e /run/nixos-rebuild.fail-activation ] && [ "$1" != build ]; then
    cp /etc/nix/nix.conf /run/nixos-previous.conf
    echo "first lines of the activation" >&2; echo "stand-in activation: failing as the test asked" >&2; exit 1
fi
case $1 in switch | test | boot | build) ;; *) echo "stand-in nixos-rebuild: unsupported action $1" >&2; exit 2 ;; esac
if [ -e /etc/nixos/flake.nix ]; then
    flake=$(dirname "$(readlink -f /etc/nixos/flake.nix)")
    source=$flake
    if [ -d "$flake/.git" ]; then
        # What Nix copies of a git flake: the files in git's index (intent-to-add ones too).
        source=$(mktemp -d /run/flake-source.XXXXXX)
        (cd "$flake" && git ls-files -z | xargs -0 -r cp --parents -t "$source")
    fi
    built=$(nix-instantiate --eval --read-write-mode --arg root "$source" /run/current-system/evaluate.nix | tr -d '"')
else
    built=$(nix-instantiate --eval --read-write-mode --arg root /etc/nixos /run/current-system/evaluate.nix | tr -d '"')
fi
case $1 in boot | build) exit 0 ;; esac
cp /etc/nix/nix.conf /run/nixos-previous.conf
cp "$built" /etc/nix/nix.conf.new && chmod 644 /etc/nix/nix.conf.new && mv -f /etc/nix/nix.conf.new /etc/nix/nix.conf
`;

/**
 * The shell that prepares the namespace before sshd starts (see BuilderHostOptions).
 * `work` holds the prepared files; nothing outside the namespace changes.
 */
export function standInSetup(work: string, root: PreparedRoot): string {
    const files = path.join(work, "stand-in");
    for (const [file, content] of Object.entries(root)) {
        fs.mkdirSync(path.dirname(path.join(files, "etc-nixos", file)), { recursive: true });
        fs.writeFileSync(path.join(files, "etc-nixos", file), content);
    }
    fs.writeFileSync(path.join(files, "evaluate.nix"), EVALUATE);
    fs.writeFileSync(path.join(files, "nix.conf"), machineNixSettings());
    fs.writeFileSync(path.join(files, "nixos-rebuild"), REBUILD, { mode: 0o755 });
    const layers = path.join(work, "layers");
    fs.mkdirSync(layers);
    return [
        `mount -t tmpfs tmpfs ${layers}`,
        `mkdir ${layers}/upper ${layers}/work`,
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${layers}/upper,workdir=${layers}/work /etc`,
        "mkdir /etc/nixos",
        `cp -R ${files}/etc-nixos/. /etc/nixos/`,
        // A NixOS host always has the nix.conf of its last switch; this one has the machine settings.
        "mkdir -p /etc/nix",
        `cp ${files}/nix.conf /etc/nix/nix.conf`,
        "mount -t tmpfs tmpfs /run",
        "mkdir -p /run/current-system/sw/bin",
        "echo '24.05 (nix-cache test stand-in)' > /run/current-system/nixos-version",
        `cp ${files}/nixos-rebuild /run/current-system/sw/bin/nixos-rebuild`,
        `cp ${files}/evaluate.nix /run/current-system/evaluate.nix`,
    ].join("\n");
}
