import { declaredValuesOf } from "../components/hosts/hostScripts";
import { bundledScript } from "../components/hosts/remoteCommand";

/**
 * What the stack's last `up` recorded, read from `pulumi stack export` (secrets stay ciphertext:
 * nothing here is ever decrypted): the inputs of the resources that carry what render computes.
 */
export interface AppliedState {
    /** The Pulumi project of the stack's resources (hosts' owner stamps name it). */
    readonly project?: string;
    /** How many resources state holds; none: the stack was never applied (or was destroyed). */
    readonly resourceCount: number;
    /** Each host that has a verify command in state, by its name in the stack. */
    readonly hosts: ReadonlyMap<string, AppliedHost>;
    /** Each workflow file, by `REPOSITORY:PATH` (the repository as its resource names it). */
    readonly files: ReadonlyMap<string, string | undefined>;
    /** The names of the Actions secrets (their values are not read). */
    readonly secretNames: ReadonlySet<string>;
    /** Each S3 object's content and bucket policy, by `s3:BUCKET:KEY` (`s3:BUCKET:bucket-policy`). */
    readonly bucketItems: ReadonlyMap<string, string | undefined>;
}

/** One host's commands as state records them. */
export interface AppliedHost {
    /** The verify script (it declares every value the host gets); undefined when recorded as a secret. */
    readonly verifyScript?: string;
    /** The settings command's replacement triggers (address, port, kind, conf dir[, user]). */
    readonly triggers?: unknown;
    /** Whether the host has a netrc command (private caches). */
    readonly netrc: boolean;
}

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly parent?: string;
    readonly inputs?: Record<string, unknown>;
}

const SECRET_TYPES = new Set([
    "github:index/actionsSecret:ActionsSecret",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
]);

/** The recorded state in `exported`, the JSON `pulumi stack export` prints. */
export function appliedState(exported: unknown): AppliedState {
    const deployment = (exported as { deployment?: { resources?: StateResource[] } } | undefined)?.deployment;
    const resources = (deployment?.resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
    const project = resources.map((r) => r.urn.split("::")[1]).find((p) => p !== undefined);
    const byParent = new Map<string, StateResource[]>();
    for (const resource of resources) {
        byParent.set(resource.parent ?? "", [...(byParent.get(resource.parent ?? "") ?? []), resource]);
    }
    const hosts = new Map<string, AppliedHost>();
    const files = new Map<string, string | undefined>();
    const secretNames = new Set<string>();
    const bucketItems = new Map<string, string | undefined>();
    for (const resource of resources) {
        const inputs = resource.inputs ?? {};
        if (resource.type === "command:remote:Command" && resource.urn.endsWith("-verify")) {
            const verifyScript = bundledScript(plain(inputs.stdin), "verify");
            // A stdin recorded as a secret is not read: the host is then known by its resource name.
            const name = verifyScript === undefined ? /-host-(.+)-verify$/.exec(resource.urn)?.[1] : declaredValuesOf(verifyScript).get("NC_HOST_NAME");
            if (name !== undefined) {
                const siblings = byParent.get(resource.parent ?? "") ?? [];
                const settings = siblings.find((s) => s.urn.endsWith("-settings"));
                hosts.set(name, { verifyScript, triggers: settings?.inputs?.triggers, netrc: siblings.some((s) => s.urn.endsWith("-netrc")) });
            }
        } else if (resource.type === "github:index/repositoryFile:RepositoryFile") {
            files.set(`${String(inputs.repository)}:${String(inputs.file)}`, plain(inputs.content));
        } else if (SECRET_TYPES.has(resource.type) && typeof inputs.secretName === "string") {
            secretNames.add(inputs.secretName);
        } else if (resource.type === "aws:s3/bucketPolicy:BucketPolicy") {
            bucketItems.set(`s3:${String(inputs.bucket)}:bucket-policy`, plain(inputs.policy));
        } else if (resource.type === "aws:s3/bucketObjectv2:BucketObjectv2") {
            bucketItems.set(`s3:${String(inputs.bucket)}:${String(inputs.key)}`, plain(inputs.content));
        }
    }
    return { project, resourceCount: resources.length, hosts, files, secretNames, bucketItems };
}

/** A recorded string input; undefined when state holds it as a secret (ciphertext) or not at all. */
function plain(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}
