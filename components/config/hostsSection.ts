import { HostSpec, SshAuthSpec, SshEndpointSpec } from "./model";
import { Problems } from "./problems";
import { ObjectReader, readList, readObject, reportDuplicates, StringRule } from "./reader";

/** The secret config key holding hosts' SSH private key unless a host names another. */
export const DEFAULT_PRIVATE_KEY_CONFIG = "sshPrivateKey";

const rule = (pattern: RegExp, expected: string): StringRule => (value) => (pattern.test(value) ? undefined : expected);

const hostNameRule = rule(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "lowercase letters, digits and hyphens (used in resource names and paths)");
const addressRule = rule(
    /^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:]+)$/,
    "a hostname, IPv4 or IPv6 address",
);
const loginRule = rule(/^[a-z_][a-z0-9_-]*\$?$/, "a Unix user name");
const trustedUserRule = rule(/^@?[a-z_][a-z0-9_.-]*\$?$/, "a Unix user name or @group");
const hostKeyRule = rule(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}$/,
    'a public host key "TYPE BASE64", e.g. the first two fields of /etc/ssh/ssh_host_ed25519_key.pub',
);
const absolutePathRule = rule(/^\/[A-Za-z0-9._/-]*$/, "an absolute path of letters, digits, '.', '_', '-', '/'");
const configKeyRule = rule(/^[A-Za-z][A-Za-z0-9_]*$/, "a config key name (without the nix-cache: prefix)");

/** What reading the hosts section needs to know about secrets. */
export interface HostSecretsLookup {
    /** How the config key `nix-cache:KEY` is set. */
    (key: string): "secret" | "plain" | "missing";
}

/** Reads `nix-cache:hosts`. Returns the hosts and the secret config keys they use. */
export function readHostsSection(
    problems: Problems,
    path: string,
    value: unknown,
    secretState: HostSecretsLookup,
): { hosts: HostSpec[]; secretKeys: string[] } {
    const hosts = readList(problems, path, value, {}, (p, item) => readHost(problems, p, item, secretState)) ?? [];
    reportDuplicates(problems, path, hosts, (h) => h.name, "host name");
    reportDuplicates(problems, path, hosts, (h) => `${h.ssh.address}:${h.ssh.port}`, "host address:port");
    const secretKeys = hosts.flatMap((h) => (h.auth.kind === "privateKey" ? [h.auth.configKey] : []));
    return { hosts, secretKeys: [...new Set(secretKeys)] };
}

function readHost(problems: Problems, path: string, value: unknown, secretState: HostSecretsLookup): HostSpec | undefined {
    const item = readObject(problems, path, value, [
        "name", "kind", "address", "port", "user", "hostKey", "insecureSkipHostKeyVerification",
        "privateKeySecret", "sshAgent", "proxy", "trustedUsers", "nixConfDir", "nixosRebuild", "restartDaemon",
    ]);
    if (!item) {
        return undefined;
    }
    const name = item.requiredString("name", { rule: hostNameRule });
    if (!item.has("kind")) {
        problems.add(item.pathOf("kind"), "is required; expected nixos, nix or user");
    }
    const kind = item.optionalEnum("kind", ["nixos", "nix", "user"] as const);
    const insecure = item.optionalBoolean("insecureSkipHostKeyVerification") ?? false;
    const ssh = readEndpoint(item, insecure);
    const auth = readAuth(item, secretState);
    const proxy = item.has("proxy") ? readProxy(problems, item.pathOf("proxy"), item.raw("proxy"), insecure) : undefined;
    const trustedUsers = item.stringList("trustedUsers", { rule: trustedUserRule }) ?? [];
    const nixConfDir = item.optionalString("nixConfDir", { rule: absolutePathRule }) ?? "/etc/nix";
    const nixosRebuild = item.optionalEnum("nixosRebuild", ["switch", "test", "boot", "none"] as const) ?? "switch";
    const restartDaemon = item.optionalBoolean("restartDaemon") ?? true;
    if (item.has("nixosRebuild") && kind !== "nixos") {
        problems.add(item.pathOf("nixosRebuild"), "only applies to hosts of kind nixos");
    }
    if (kind === "user" && trustedUsers.length > 0) {
        problems.add(item.pathOf("trustedUsers"), "cannot be set on a user host: trusted-users is a daemon setting that needs root");
    }
    if (name === undefined || kind === undefined || ssh === undefined || auth === undefined) {
        return undefined;
    }
    return { name, kind, ssh, insecureSkipHostKeyVerification: insecure, auth, proxy, trustedUsers, nixConfDir, nixosRebuild, restartDaemon };
}

function readEndpoint(item: ObjectReader, insecure: boolean): SshEndpointSpec | undefined {
    const address = item.requiredString("address", { rule: addressRule });
    const port = item.optionalInteger("port", { min: 1, max: 65535 }) ?? 22;
    const user = item.optionalString("user", { rule: loginRule }) ?? "root";
    const hostKey = item.optionalString("hostKey", { rule: hostKeyRule });
    if (!item.has("hostKey") && !insecure) {
        item.problems.add(
            item.pathOf("hostKey"),
            "is required: host keys are pinned by default; expected \"ssh-ed25519 AAAA...\" " +
                "(or set insecureSkipHostKeyVerification: true to accept any key)",
        );
    }
    return address === undefined ? undefined : { address, port, user, hostKey };
}

function readProxy(problems: Problems, path: string, value: unknown, insecure: boolean): SshEndpointSpec | undefined {
    const item = readObject(problems, path, value, ["address", "port", "user", "hostKey"]);
    return item ? readEndpoint(item, insecure) : undefined;
}

function readAuth(item: ObjectReader, secretState: HostSecretsLookup): SshAuthSpec | undefined {
    const agent = item.raw("sshAgent");
    if (agent === true || agent === "true") {
        return { kind: "agent" };
    }
    if (typeof agent === "string" && agent !== "false") {
        const socket = item.optionalString("sshAgent", { rule: absolutePathRule });
        return socket === undefined ? undefined : { kind: "agent", socket };
    }
    if (agent !== undefined && agent !== false && agent !== "false") {
        item.problems.add(item.pathOf("sshAgent"), "expected true, false or an agent socket path");
        return undefined;
    }
    const configKey = item.optionalString("privateKeySecret", { rule: configKeyRule }) ?? DEFAULT_PRIVATE_KEY_CONFIG;
    const state = secretState(configKey);
    if (state !== "secret") {
        const how = state === "plain" ? "is set in plain text" : "is not set";
        item.problems.add(
            item.pathOf("privateKeySecret"),
            `the SSH private key nix-cache:${configKey} ${how}; expected it set with ` +
                `\`pulumi config set --secret ${configKey} < KEYFILE\` (or sshAgent: true)`,
        );
    }
    return { kind: "privateKey", configKey };
}
