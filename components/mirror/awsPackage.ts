import type * as Aws from "@pulumi/aws";
import { optionalPeer } from "../formats/optionalPeer";

/** `@pulumi/aws`, an optional peer dependency: loaded when the mirror first makes or reads an AWS resource. */
export const aws: typeof Aws = optionalPeer("@pulumi/aws", "The S3 mirror (S3Mirror, or a mirror section)", () => require("@pulumi/aws"));
