/**
 * How each Nix installer action takes extra nix.conf lines. The input names differ:
 * cachix/install-nix-action reads `extra_nix_config`, DeterminateSystems' actions `extra-conf`.
 */
export const INSTALLER_NIX_CONFIG_INPUT: Readonly<Record<string, string>> = {
    "cachix/install-nix-action": "extra_nix_config",
    "DeterminateSystems/nix-installer-action": "extra-conf",
    "DeterminateSystems/determinate-nix-action": "extra-conf",
};

/** The input of the installer `owner/repo` that takes nix.conf lines, or undefined for an unknown one. */
export function nixConfigInput(installer: string): string | undefined {
    const key = Object.keys(INSTALLER_NIX_CONFIG_INPUT).find((k) => k.toLowerCase() === installer.toLowerCase());
    return key === undefined ? undefined : INSTALLER_NIX_CONFIG_INPUT[key];
}
