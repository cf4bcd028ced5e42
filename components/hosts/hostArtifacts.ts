import { HostSpec, PROJECT_NAME, StackModel, TrustedCacheSpec } from "../config/model";
import { Artifact, SecretText } from "../render/artifact";
import { renderNetrc } from "../render/netrc";
import { hostScripts, HostScripts } from "./hostScripts";
import { hostConfDir, MANAGED_CONF_NAME, NIXOS_CONFIG_DIR } from "./layout";
import { hostOwner, hostPayload, HostPayload } from "./payload";

/**
 * Each host's managed files and scripts, as `render` writes them: the same functions NixHost
 * uses, so what is reviewed is what runs. The netrc holds a placeholder instead of the token, and
 * the mirror's generated public key is a placeholder too. `added` are the caches the stack adds
 * to what hosts trust (the mirror, as `render` sees it).
 */
export function hostArtifacts(model: StackModel, secret: SecretText, added: readonly TrustedCacheSpec[], stack?: string): Artifact[] {
    return model.hosts.flatMap((host) => oneHost(model, host, secret, added, stack));
}

// With the stack's name, the scripts carry its owner stamp, as the ones NixHost runs do.
function oneHost(model: StackModel, host: HostSpec, secret: SecretText, added: readonly TrustedCacheSpec[], stack: string | undefined): Artifact[] {
    const payload = hostPayload(model, host, added, stack === undefined ? "" : hostOwner(PROJECT_NAME, stack, host));
    return [...settingsFiles(payload), ...netrcFile(model, payload, secret), ...scriptFiles(host, hostScripts(payload))];
}

function settingsFiles(payload: HostPayload): Artifact[] {
    const { host } = payload;
    if (payload.nixosFiles !== undefined) {
        return payload.nixosFiles.map((file) => onHost(host, "nixos-module", `${NIXOS_CONFIG_DIR}/${file.path}`, file.content));
    }
    return [onHost(host, "nix-conf", `${hostConfDir(host)}/${MANAGED_CONF_NAME}`, payload.managedConf ?? "")];
}

// The netrc goes to the netrc-file Nix reads, by default next to nix.conf.
function netrcFile(model: StackModel, payload: HostPayload, secret: SecretText): Artifact[] {
    if (payload.netrcMachine === undefined) {
        return [];
    }
    return [onHost(payload.host, "netrc", `${hostConfDir(payload.host)}/netrc`, renderNetrc(model.cache, secret("cachixAuthToken")))];
}

const SCRIPT_FILES: [keyof HostScripts, string, string][] = [
    ["apply", "apply.sh", "settings.create"],
    ["destroy", "destroy.sh", "settings.delete"],
    ["netrcApply", "netrc-apply.sh", "netrc.create"],
    ["netrcDestroy", "netrc-destroy.sh", "netrc.delete"],
    ["verify", "verify.sh", "verify.create"],
    ["detect", "detect.sh", "detect"],
];

function scriptFiles(host: HostSpec, scripts: HostScripts): Artifact[] {
    return SCRIPT_FILES.flatMap(([role, file, command]) => {
        const content = scripts[role];
        return content === undefined
            ? []
            : [{ kind: "script" as const, target: `host:${host.name}:command:${command}`, path: `hosts/${host.name}/${file}`, content }];
    });
}

// `~/.config/nix` renders under `home/`, so no rendered path starts with `~`.
function onHost(host: HostSpec, kind: Artifact["kind"], hostPath: string, content: string): Artifact {
    const local = hostPath.replace(/^~\//, "home/").replace(/^\//, "");
    return { kind, target: `host:${host.name}:${hostPath}`, path: `hosts/${host.name}/${local}`, content };
}
