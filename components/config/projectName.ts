/**
 * The one name of the project: the npm and Pulumi package (the first part of every resource
 * token, `nix-cache:index:CacheSetup`), the Pulumi project, and so the config namespace
 * (`nix-cache:KEY`).
 */
export const PROJECT_NAME = "nix-cache";
