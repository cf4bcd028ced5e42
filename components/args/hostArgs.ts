import { NixHostKind, NixosRebuild } from "./enums";

/** An SSH endpoint: a bastion a host is reached through. */
export interface SshEndpointArgs {
    /** Hostname or IP address. */
    address: string;
    /** TCP port (22 unless set). */
    port?: number;
    /** Login user (`root` unless set). */
    user?: string;
    /** Pinned host public key, `ssh-ed25519 AAAA...`; required unless the host sets insecureSkipHostKeyVerification. */
    hostKey?: string;
}

/**
 * A builder host, as an entry of `nix-cache:hosts` writes it (see docs/hosts.md). Plain values:
 * the name, kind and address decide the remote commands and their resource names.
 */
export interface HostArgs {
    /** Unique name, used in resource names and render paths. */
    name: string;
    /** `nixos`, `nix` (multi-user daemon) or `user` (the login user's own nix.conf). */
    kind: NixHostKind;
    /** Hostname or IP address. */
    address: string;
    /** SSH port (22 unless set). */
    port?: number;
    /** Login user (`root` unless set). */
    user?: string;
    /** Pinned host public key, `ssh-ed25519 AAAA...`; required unless insecureSkipHostKeyVerification is set. */
    hostKey?: string;
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
}
