import { z } from "zod";
import { addressRule } from "../formats/addresses";
import { across, flag, integer, list, noDuplicates, oneOf, section, text } from "./fields";
import * as names from "../formats/names";
import { absolutePathRule, fileDirectoryRule } from "../formats/paths";
import { describeValue } from "./redact";

/** The secret config key holding hosts' SSH private key unless a host names another. */
export const DEFAULT_PRIVATE_KEY_CONFIG = "sshPrivateKey";

const HOST_KEY_REQUIRED =
    "is required: host keys are pinned by default; expected \"ssh-ed25519 AAAA...\" (or set insecureSkipHostKeyVerification: true to accept any key)";

/**
 * The Pulumi command provider offers only the pinned key's own type as host key algorithm, and
 * for RSA that is `ssh-rsa` (SHA-1 signatures), which OpenSSH 8.8 and later refuse.
 */
const RSA_PIN =
    "is an ssh-rsa key, which cannot be pinned: the command provider verifies RSA host keys only with SHA-1 `ssh-rsa` signatures, which OpenSSH 8.8 and later refuse; pin the host's ed25519 or ECDSA key instead (the first two fields of /etc/ssh/ssh_host_ed25519_key.pub; `ssh-keygen -A` creates it)";

/** Default bound of each remote command, by kind: a NixOS rebuild may build for a long time. */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = { nixos: 3600, nix: 900, user: 900 } as const;

/**
 * The fields of an SSH endpoint: a host or its bastion. They may be Outputs in the arguments (a
 * machine made by the same program): they decide only the connection, checked where they resolve.
 */
const endpointShape = {
    address: text([addressRule], { required: "a string", description: "Hostname or IP address" }).meta({ input: true }),
    port: integer(1, 65535, "SSH port (22 unless set)").meta({ input: true }).default(22),
    user: text([names.unixUser], { description: "Login user (`root` unless set)" }).meta({ input: true }).default("root"),
    hostKey: text([names.hostKey], { description: "Pinned host public key, `ssh-ed25519 AAAA...`; required unless insecureSkipHostKeyVerification is set" }).meta({ input: true }).optional(),
};

/** The endpoint as the model has it. */
const endpoint = (value: { address: string; port: number; user: string; hostKey?: string }) => ({
    /** Hostname or IP address. */
    address: value.address,
    /** TCP port. */
    port: value.port,
    /** Login user. */
    user: value.user,
    /** Pinned host public key (`ssh-ed25519 AAAA...`); undefined only with the opt-out. */
    ...(value.hostKey === undefined ? {} : { hostKey: value.hostKey }),
});

/** `sshAgent`: `true` for `$SSH_AUTH_SOCK`; a socket path is the former spelling of `sshAgentSocket`. */
const sshAgent = z.union([flag(), text([absolutePathRule])], {
    error: (iss) => `expected true, false or an agent socket path; got ${describeValue(iss.input)}`,
}).meta({ tsType: "boolean", description: "Log in through the SSH agent at `$SSH_AUTH_SOCK` instead of a private key" });

/** Host keys are pinned unless opted out; some fields belong to one kind. */
const hostFieldsAgree = across((value, ctx) => {
    const insecure = value.insecureSkipHostKeyVerification === true;
    if (value.hostKey === undefined && !insecure) {
        ctx.addIssue({ code: "custom", path: ["hostKey"], message: HOST_KEY_REQUIRED, input: undefined });
    }
    const proxy = value.proxy as { hostKey?: unknown } | undefined;
    if (typeof proxy === "object" && proxy !== null && proxy.hostKey === undefined && !insecure) {
        ctx.addIssue({ code: "custom", path: ["proxy", "hostKey"], message: HOST_KEY_REQUIRED, input: undefined });
    }
    for (const [path, key] of [[["hostKey"], value.hostKey], [["proxy", "hostKey"], proxy?.hostKey]] as const) {
        if (typeof key === "string" && key.startsWith("ssh-rsa ")) {
            ctx.addIssue({ code: "custom", path: [...path], message: RSA_PIN, input: undefined });
        }
    }
    if (value.nixosRebuild !== undefined && value.kind !== "nixos") {
        ctx.addIssue({ code: "custom", path: ["nixosRebuild"], message: "only applies to hosts of kind nixos", input: undefined });
    }
    if (typeof value.sshAgent === "string" && value.sshAgentSocket !== undefined) {
        ctx.addIssue({ code: "custom", path: ["sshAgent"], message: "is a socket path and sshAgentSocket is set too; expected the path in sshAgentSocket only", input: undefined });
    }
    if (value.kind === "user" && Array.isArray(value.trustedUsers) && value.trustedUsers.length > 0) {
        ctx.addIssue({ code: "custom", path: ["trustedUsers"], message: "cannot be set on a user host: trusted-users is a daemon setting that needs root", input: undefined });
    }
});

/** One builder host. */
const host = section({
    name: text([names.hostName], { required: "a string", description: "Unique name, used in resource names and render paths" }),
    kind: oneOf(["nixos", "nix", "user"], {
        required: "nixos, nix or user",
        description: "`nixos`, `nix` (multi-user daemon) or `user` (the login user's own nix.conf)",
        argsType: "NixHostKind",
        typeDescription: "How a builder host's Nix settings are managed",
        members: {
            nixos: "NixOS: a module imported by the system configuration, then a rebuild",
            nix: "Nix with a multi-user daemon: managed lines in the system nix.conf",
            user: "The login user's own nix.conf, without root",
        },
    }),
    ...endpointShape,
    insecureSkipHostKeyVerification: flag("Explicit, loudly named opt-out of host-key pinning").default(false),
    privateKeySecret: text([names.configKey], { description: "The secret config key (the name in sshPrivateKeys) holding the SSH private key; `sshPrivateKey` unless set; ignored with the SSH agent" }).optional(),
    sshAgent: sshAgent.optional(),
    sshAgentSocket: text([absolutePathRule], { description: "Log in through the SSH agent listening at this socket path instead of a private key" }).optional(),
    proxy: section(endpointShape, { description: "A bastion the connection goes through", argsType: "SshEndpointArgs" }).optional(),
    trustedUsers: list(text([names.trustedUser]), { description: "Users to add to the daemon's `trusted-users`, merged with the host's own (not on `user` hosts)" })
        .check(noDuplicates((u) => (typeof u === "string" ? u : undefined), "trusted user"))
        .default([]),
    nixConfDir: text([fileDirectoryRule], { description: "The Nix config dir on the host (`/etc/nix` unless set); ignored for `user` hosts" }).default("/etc/nix"),
    nixosRebuild: oneOf(["switch", "test", "boot", "none"], {
        description: "NixOS hosts only: what runs after the module files change (`switch` unless set)",
        argsType: "NixosRebuild",
        typeDescription: "What a NixOS host runs after its module files change",
        members: {
            switch: "`nixos-rebuild switch`",
            test: "`nixos-rebuild test`: active now, not the boot default",
            boot: "`nixos-rebuild boot`: active from the next boot",
            none: "Nothing: the files are written, the rebuild is left to the operator",
        },
    }).optional(),
    restartDaemon: flag("`nix` hosts: restart nix-daemon after a change (true unless set)").default(true),
    commandTimeout: integer(10, 86400, "Seconds each remote command of the host may take before it fails (900; nixos 3600)").optional(),
    retired: flag("The host is gone for good: nix-cache never connects to it again, keeps its commands in state as they are, and drops them from state without undoing anything on the host when its entry is removed or on `pulumi destroy` (docs/hosts.md)").default(false),
}, { description: "A builder host managed over SSH (see docs/hosts.md)", argsType: "HostArgs", checks: [hostFieldsAgree] }).transform((h) => ({
    /** Unique name, used in resource names and render paths. */
    name: h.name,
    /** `nixos`, `nix` (multi-user daemon) or `user` (the login user's own nix.conf). */
    kind: h.kind,
    /** Where to connect. */
    ssh: endpoint(h),
    /** Explicit, loudly named opt-out of host-key pinning. */
    insecureSkipHostKeyVerification: h.insecureSkipHostKeyVerification,
    /** Credentials: a secret config key holding the PEM/OpenSSH key, or the SSH agent (`$SSH_AUTH_SOCK` unless a socket is named). */
    auth: authOf(h.sshAgentSocket ?? h.sshAgent, h.privateKeySecret),
    /** Optional bastion. */
    proxy: h.proxy === undefined ? undefined : endpoint(h.proxy),
    /** Users to add to `trusted-users` (merged with the host's own). */
    trustedUsers: h.trustedUsers,
    /** The Nix config dir on the host (`/etc/nix`); ignored for `user` hosts. */
    nixConfDir: h.nixConfDir,
    /** NixOS only: what to run after the modules change. */
    nixosRebuild: h.nixosRebuild ?? "switch",
    /** `nix` hosts: restart nix-daemon after a change. */
    restartDaemon: h.restartDaemon,
    /** Seconds each remote command may take (connecting included) before it fails by name. */
    commandTimeoutSeconds: h.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_SECONDS[h.kind],
    /** Decommissioned: never connected to again; its state is kept, and dropped, without undoing anything on it. */
    retired: h.retired,
}));

/** A secret key by default; the agent when `sshAgent` is true or a socket path. */
function authOf(agent: boolean | string | undefined, configKey: string | undefined) {
    if (agent === true || typeof agent === "string") {
        return { kind: "agent" as const, socket: agent === true ? undefined : agent };
    }
    return { kind: "privateKey" as const, configKey: configKey ?? DEFAULT_PRIVATE_KEY_CONFIG };
}

/**
 * `nix-cache:hosts`: builder hosts managed over SSH, names each once. A machine (address and
 * port) has at most one `nix` or `nixos` entry, which manages its system files, and any number of
 * `user` entries, one per login user, whose files are that user's.
 */
export const hostsSection = list(host, { description: "Builder hosts managed over SSH (see docs/hosts.md)" })
    .check(noDuplicates((h: { name?: unknown }) => (typeof h?.name === "string" ? h.name : undefined), "host name"))
    .check(
        noDuplicates(
            (h: { kind?: string; ssh?: { address: string; port: number; user: string } }) =>
                h?.ssh ? `${h.ssh.address}:${h.ssh.port}${h.kind === "user" ? ` (kind user, login ${h.ssh.user})` : ""}` : undefined,
            "host address:port",
        ),
    );
