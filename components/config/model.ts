/**
 * The validated, typed description of one organisation's Nix binary-cache setup, as the
 * stack schema (`stackSchema.ts`) produces it. Everything the project renders or creates is
 * derived from a {@link StackModel}; these types are read off the schema, never written twice.
 */
import type { z } from "zod";
import type { stackSchema } from "./stackSchema";

/** The Pulumi project name, which is also the config namespace (`nix-cache:KEY`). */
export const PROJECT_NAME = "nix-cache";

/** `T` with every property and list read-only, all the way down. */
export type Frozen<T> = T extends (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

/** The whole validated stack. */
export type StackModel = Frozen<z.output<ReturnType<typeof stackSchema>>>;

/** The organisation's own Cachix cache. */
export type CacheSpec = StackModel["cache"];

/** Another binary cache that hosts and CI trust. */
export type TrustedCacheSpec = StackModel["extraCaches"][number];

/** The stack's `github` section. */
export type GithubSpec = NonNullable<StackModel["github"]>;

/** Which GitHub Actions secret carries the Cachix credential, and where it lives. */
export type GithubSecretSpec = GithubSpec["secret"];

/** A GitHub repository whose CI builds and pushes to the cache. */
export type GithubRepositorySpec = GithubSpec["repositories"][number];

/** The workflow file the project owns in each repository. */
export type WorkflowSpec = GithubSpec["workflow"];

/** The GitHub Actions references the workflow uses. */
export type WorkflowActionsSpec = WorkflowSpec["actions"];

/** A builder host. */
export type HostSpec = StackModel["hosts"][number];

/** How a builder host's nix settings are managed. */
export type HostKind = HostSpec["kind"];

/** What to run after NixOS module files change. */
export type NixosRebuildAction = HostSpec["nixosRebuild"];

/** An SSH endpoint (a host or its bastion). */
export type SshEndpointSpec = HostSpec["ssh"];

/** How the project authenticates to a host. */
export type SshAuthSpec = HostSpec["auth"];

/** The optional S3 mirror. */
export type MirrorSpec = NonNullable<StackModel["mirror"]>;

/** Which of the secret config keys the stack uses are set. */
export type SecretKeysSpec = StackModel["secrets"];
