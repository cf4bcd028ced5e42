/** What kind of file an artifact is; names the manifest's `kind`. */
export type ArtifactKind =
    | "nix-conf"
    | "nixos-module"
    | "netrc"
    | "workflow"
    | "github-secret"
    | "script"
    | "bucket-policy"
    | "iam-policy"
    | "nix-cache-info";

/** One file the stack would apply, as `render` writes it. */
export interface Artifact {
    /** What it is. */
    readonly kind: ArtifactKind;
    /**
     * Where it goes: `github:OWNER/REPO:PATH`, `host:NAME:PATH`, `s3:BUCKET:KEY`, or
     * `stack-output:NAME` for what `pulumi stack output NAME` shows.
     */
    readonly target: string;
    /** Path of the rendered file under the output directory. */
    readonly path: string;
    /** Exact content, with secrets replaced by placeholders. */
    readonly content: string;
}

/** Resolves a secret config key to text: its value when applying, a placeholder when rendering. */
export type SecretText = (configKey: string) => string;

/** The placeholder `render` writes instead of a secret's value. */
export function secretPlaceholder(configKey: string): string {
    return `<secret:${configKey}>`;
}
