import type * as Github from "@pulumi/github";
import { optionalPeer } from "../formats/optionalPeer";

/** `@pulumi/github`, an optional peer dependency: loaded when a GitHub resource is first made or read. */
export const github: typeof Github = optionalPeer("@pulumi/github", "GitHub CI (GithubCi, MirrorCiSecrets, or a github section)", () => require("@pulumi/github"));
