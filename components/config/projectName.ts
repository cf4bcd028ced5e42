/** The Pulumi project name, which is also the config namespace (`nix-cache:KEY`). */
export const PROJECT_NAME = "nix-cache";
