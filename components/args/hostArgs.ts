import * as pulumi from "@pulumi/pulumi";
import { NixHostKind, NixosRebuild } from "./enums";

/**
 * An SSH endpoint: a bastion a host is reached through. Its fields may be Outputs (a machine made
 * by the same program), checked where they resolve.
 */
export interface SshEndpointArgs {
    /** Hostname or IP address. */
    address: pulumi.Input<string>;
    /** TCP port (22 unless set). */
    port?: pulumi.Input<number>;
    /** Login user (`root` unless set). */
    user?: pulumi.Input<string>;
    /** Pinned host public key, `ssh-ed25519 AAAA...`; required unless the host sets insecureSkipHostKeyVerification. */
    hostKey?: pulumi.Input<string>;
}

/**
 * A builder host, as an entry of `nix-cache:hosts` writes it (see docs/hosts.md). The connection
 * fields (`address`, `port`, `user`, `hostKey`, and the proxy's) may be Outputs, such as a VM's
 * address made by the same program: they only feed the SSH connection, and are checked, with the
 * stack file's rules, where they resolve. The rest are plain values: the name, kind and
 * credentials decide the remote commands and their resource names.
 */
export interface HostArgs {
    /** Unique name, used in resource names and render paths. */
    name: string;
    /** `nixos`, `nix` (multi-user daemon) or `user` (the login user's own nix.conf). */
    kind: NixHostKind;
    /** Hostname or IP address; may be an Output. */
    address: pulumi.Input<string>;
    /** SSH port (22 unless set); may be an Output. */
    port?: pulumi.Input<number>;
    /** Login user (`root` unless set); may be an Output. */
    user?: pulumi.Input<string>;
    /** Pinned host public key, `ssh-ed25519 AAAA...`; required unless insecureSkipHostKeyVerification is set; may be an Output. */
    hostKey?: pulumi.Input<string>;
    /** Explicit, loudly named opt-out of host-key pinning. */
    insecureSkipHostKeyVerification?: boolean;
    /** The name the SSH private key is given under (`sshPrivateKey` unless set); ignored with the SSH agent. */
    privateKeySecret?: string;
    /** Log in through the SSH agent at `$SSH_AUTH_SOCK` instead of a private key. */
    sshAgent?: boolean;
    /** Log in through the SSH agent listening at this socket path instead of a private key. */
    sshAgentSocket?: string;
    /** A bastion the connection goes through. */
    proxy?: SshEndpointArgs;
    /** Users to add to the daemon's `trusted-users` (not on `user` hosts). */
    trustedUsers?: string[];
    /** The Nix config dir on the host (`/etc/nix` unless set); ignored for `user` hosts. */
    nixConfDir?: string;
    /** NixOS hosts only: what runs after the module files change (`switch` unless set). */
    nixosRebuild?: NixosRebuild;
    /** `nix` hosts: restart nix-daemon after a change (true unless set). */
    restartDaemon?: boolean;
    /** Seconds each remote command may take before it fails (900; nixos 3600). */
    commandTimeout?: number;
    /**
     * The host is gone for good (false unless set): nix-cache never connects to it again, keeps
     * its commands in state as they are, and drops them from state without undoing anything on
     * the host, when its entry is removed or on `pulumi destroy`.
     */
    retired?: boolean;
}
