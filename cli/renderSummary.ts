import { HostSpec, StackModel } from "../components/config/model";
import { USER_CONF_DIR_DISPLAY } from "../components/hosts/layout";
import { hostPayload } from "../components/hosts/payload";
import { Artifact } from "../components/render/artifact";
import { secretEntries, StackChanges } from "./renderChanges";

/**
 * What `pulumi up` gives each target of the stack, in a few lines each: every host (its files,
 * the settings in effect afterwards, its netrc, what runs after), every repository (its workflow
 * with the actions it pins, the Actions secrets), the S3 mirror's bucket and role, and the stack
 * outputs. `artifacts` are the stack's rendered files, which it summarises; the scripts are
 * named, not shown. `changes` adds, under each target, what would change since the last `up`.
 */
export function stackSummary(stack: string, model: StackModel, artifacts: readonly Artifact[], changes: StackChanges): string {
    const lines = [`stack ${stack}: what \`pulumi up\` applies; what would change: ${changes.basis}`];
    const changeOf = (target: string) => {
        const change = changes.byTarget.get(target);
        return change === undefined ? [] : [`  would change: ${change}`];
    };
    for (const host of model.hosts) {
        lines.push("", ...hostLines(model, host, artifacts), ...changeOf(`host:${host.name}`));
    }
    for (const name of changes.removed) {
        lines.push("", `host ${name}: removed from the stack file: its files are undone by the next up`);
    }
    for (const [repository, files] of grouped(artifacts.filter((a) => a.kind === "workflow"), (a) => a.target.split(":").slice(0, 2).join(":"))) {
        lines.push("", `repository ${repository.slice("github:".length)}`, ...changeOf(`repository:${repository.slice("github:".length)}`));
        for (const file of files) {
            lines.push(`  ${file.target.split(":").slice(2).join(":")}`, ...actionsOf(file.content).map((action) => `    uses ${action}`));
        }
    }
    const secrets = artifacts.filter((a) => a.kind === "github-secret").flatMap((a) => secretPlacements(JSON.parse(a.content)));
    if (secrets.length > 0) {
        lines.push("", "GitHub Actions secrets", ...[...new Set(secrets)].map((secret) => `  ${secret}`), ...changeOf("secrets"));
    }
    for (const [bucket, files] of grouped(artifacts.filter((a) => a.target.startsWith("s3:")), (a) => a.target.split(":")[1])) {
        lines.push("", `bucket ${bucket}`, `  ${files.map((f) => f.target.split(":").slice(2).join(":")).join(", ")}`, ...changeOf(`bucket:${bucket}`));
    }
    const roles = [...new Set(artifacts.filter((a) => a.target.startsWith("aws:")).map((a) => a.target.split(":").pop()!))];
    if (roles.length > 0) {
        lines.push(`  pushed to by CI through IAM role ${roles.join(", ")} (trust and write policies)`);
    }
    const outputs = artifacts.filter((a) => a.target.startsWith("stack-output:")).map((a) => a.target.slice("stack-output:".length));
    if (outputs.length > 0) {
        lines.push("", `stack outputs: ${outputs.join(", ")}`);
    }
    lines.push("", "Every file, byte for byte, with the host scripts: npm run render -- --stack " + stack + " --out DIR");
    return `${lines.join("\n")}\n`;
}

function hostLines(model: StackModel, host: HostSpec, artifacts: readonly Artifact[]): string[] {
    const where = `${host.ssh.user}@${host.ssh.address}:${host.ssh.port}${host.proxy === undefined ? "" : ` via ${host.proxy.address}`}`;
    const head = `host ${host.name} (${host.kind}, ${where})`;
    if (host.retired) {
        return [`${head}: retired, not contacted; nothing applied or undone`];
    }
    const { expected, netrcMachine } = hostPayload(model, host);
    const prefix = `host:${host.name}:`;
    const files = artifacts.filter((a) => a.target.startsWith(prefix) && a.kind !== "script").map((a) => a.target.slice(prefix.length));
    const dir = host.kind === "user" ? USER_CONF_DIR_DISPLAY : host.nixConfDir;
    const after = host.kind === "nixos"
        ? `nixos-rebuild ${host.nixosRebuild}`
        : host.kind === "nix" && host.restartDaemon ? "nix-daemon restarted when its settings changed" : "no restart";
    return [
        head,
        `  files: ${files.join(", ")}${host.kind === "nixos" ? "" : `, and two include lines at the end of ${dir}/nix.conf`}`,
        `  substituters: ${expected.substituters.join(" ")}${model.mirror === undefined ? "" : ", then the S3 mirror's (its key is made by up)"}`,
        `  trusted-public-keys: ${expected.trustedPublicKeys.join(" ")}`,
        ...(expected.trustedUsers.length > 0 ? [`  trusted-users: ${expected.trustedUsers.join(" ")} (merged with the host's own)`] : []),
        ...(netrcMachine === undefined ? [] : [`  netrc: machine ${netrcMachine}, with the stack's Cachix read token`]),
        `  then: ${after}; Nix's effective settings are read back and checked`,
    ];
}

/** The `uses:` of a workflow, each once, in order. */
function actionsOf(workflow: string): string[] {
    return [...new Set([...workflow.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+(?:\s+#\s*\S+)?)\s*$/gm)].map((m) => m[1]))];
}

/** Each secret a rendered secrets file places: `NAME (scope repository|organization|environment ...)`. */
function secretPlacements(value: unknown): string[] {
    return secretEntries(value).map(
        (entry) => `${String(entry.name)} (${String(entry.scope)}${typeof entry.repository === "string" ? ` ${entry.repository}` : ""}${typeof entry.environment === "string" ? ` environment ${entry.environment}` : ""})`,
    );
}

function grouped<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
    }
    return groups;
}
