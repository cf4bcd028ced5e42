import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ArgsMeta } from "../components/config/fields";
import { STACK_SECTIONS } from "../components/config/stackSchema";
import { parseCommandLine, PROJECT_ROOT } from "./args";

/**
 * The components' argument types, generated from the stack schema: one interface per section
 * and nested object, one enum per list of choices, each field's doc comment its schema's
 * description. The stack file and the arguments are then one spelling with one description;
 * the component schema analyzer reads the interfaces as the package schema's types.
 */

/** Where the generated types are committed. */
export const ARGS_FILE = path.join(PROJECT_ROOT, "components", "args", "stackArgs.ts");

const HEADER = [
    "// Generated from the stack schema (components/config/) by `npm run args`; do not edit by hand:",
    "// change a field's schema and its description there, and run it again.",
    'import type * as pulumi from "@pulumi/pulumi";',
];

type Node = z.core.$ZodType;

const metaOf = (schema: Node): ArgsMeta => (z.globalRegistry.get(schema as z.ZodType) ?? {}) as ArgsMeta;

/** A doc comment at `indent`, one paragraph wrapped as written. */
function doc(text: string | undefined, indent: string): string[] {
    if (text === undefined) {
        return [];
    }
    return [`${indent}/** ${text.endsWith(".") ? text : `${text}.`} */`];
}

/** `nixos` as `Nixos`, `pullRequest` as `PullRequest`, `job_workflow_ref` as `JobWorkflowRef`. */
export function memberName(value: string): string {
    return value
        .split(/[_-]/)
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join("");
}

/** The generated module's text. */
export function argsTypesText(): string {
    const enums = new Map<string, string[]>();
    const interfaces = new Map<string, string[]>();

    /** A field's schema without its optional and default wrappers, and whether it may be left out. */
    const unwrap = (schema: Node): { inner: Node; optional: boolean; metas: ArgsMeta[] } => {
        let inner = schema;
        let optional = false;
        const metas: ArgsMeta[] = [metaOf(schema)];
        for (;;) {
            const def = inner._zod.def as { type: string; innerType?: Node; in?: Node; out?: Node };
            if (def.type === "optional" || def.type === "default" || def.type === "prefault") {
                optional = true;
                inner = def.innerType!;
            } else if (def.type === "pipe") {
                // A preprocess is a transform piped into the schema; a transform follows the schema.
                inner = (def.in!._zod.def.type === "transform" ? def.out : def.in)!;
            } else {
                return { inner, optional, metas };
            }
            metas.push(metaOf(inner));
        }
    };

    const typeOf = (schema: Node): string => {
        const { inner, metas } = unwrap(schema);
        const meta = Object.assign({}, ...[...metas].reverse()) as ArgsMeta;
        // A type's own description is the innermost one: the field's is said where it is used.
        const typeDoc = meta.typeDescription ?? [...metas].reverse().find((m) => m.description !== undefined)?.description;
        const def = inner._zod.def as { type: string; element?: Node; valueType?: Node; shape?: Record<string, Node>; entries?: Record<string, string> };
        const plain = (() => {
            if (meta.argsType !== undefined && def.type === "enum") {
                if (!enums.has(meta.argsType)) {
                    enums.set(meta.argsType, enumLines(meta.argsType, typeDoc, meta.members, Object.values(def.entries!)));
                }
                return meta.argsType;
            }
            if (meta.tsType !== undefined) {
                return meta.tsType;
            }
            switch (def.type) {
                case "string":
                    return "string";
                case "boolean":
                    return "boolean";
                case "number":
                    return "number";
                case "enum":
                    return Object.values(def.entries!).map((v) => JSON.stringify(v)).join(" | ");
                case "array": {
                    const element = typeOf(def.element!);
                    return /^[A-Za-z]+$/.test(element) ? `${element}[]` : `(${element})[]`;
                }
                case "record":
                    return `{ [${meta.recordKey ?? "key"}: string]: ${typeOf(def.valueType!)} }`;
                case "object": {
                    if (meta.argsType === undefined) {
                        throw new Error(`an object in the stack schema has no argsType: ${Object.keys(def.shape!).join(", ")}`);
                    }
                    if (!interfaces.has(meta.argsType)) {
                        interfaces.set(meta.argsType, []); // reserved first: the order is the schema's
                        interfaces.set(meta.argsType, interfaceLines(meta.argsType, typeDoc, def.shape!));
                    }
                    return meta.argsType;
                }
                default:
                    throw new Error(`no argument type for a zod ${def.type}: give it a tsType`);
            }
        })();
        return meta.input === true ? `pulumi.Input<${plain}>` : plain;
    };

    const interfaceLines = (name: string, description: string | undefined, shape: Record<string, Node>): string[] => [
        ...doc(description, ""),
        `export interface ${name} {`,
        ...Object.entries(shape).flatMap(([key, field]) => {
            const { optional, metas } = unwrap(field);
            const description = metas.find((m) => m.description !== undefined)?.description;
            if (description === undefined) {
                throw new Error(`${name}.${key} has no description in the stack schema`);
            }
            return [...doc(description, "    "), `    ${key}${optional ? "?" : ""}: ${typeOf(field)};`];
        }),
        "}",
    ];

    const enumLines = (name: string, description: string | undefined, members: ArgsMeta["members"], values: string[]): string[] => [
        ...doc(description, ""),
        `export const ${name} = {`,
        ...values.flatMap((value) => [...doc(members?.[value], "    "), `    ${memberName(value)}: ${JSON.stringify(value)},`]),
        "} as const;",
        ...doc(description, ""),
        `export type ${name} = (typeof ${name})[keyof typeof ${name}];`,
    ];

    const sections = interfaceLines("StackSectionsArgs", "The sections of a stack, as the stack file and the components' arguments write them", STACK_SECTIONS as unknown as Record<string, Node>);
    return [HEADER.join("\n"), ...[...enums.values()].map((l) => l.join("\n")), ...[...interfaces.values()].map((l) => l.join("\n")), sections.join("\n")].join("\n\n") + "\n";
}

/** The command line: it takes no arguments, and says so rather than ignore them. */
export function argsTypesArgs(argv: readonly string[]) {
    return parseCommandLine(argv, {}, "npm run args");
}

if (require.main === module) {
    const args = argsTypesArgs(process.argv.slice(2));
    if ("error" in args) {
        console.error(args.error);
        process.exit(2);
    }
    fs.writeFileSync(ARGS_FILE, argsTypesText());
    console.log(`wrote ${path.relative(PROJECT_ROOT, ARGS_FILE)}`);
}
