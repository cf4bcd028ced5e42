import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ARGS_ONLY_META, closedObjects } from "../components/config/fields";
import { PROJECT_NAME } from "../components/config/model";
import { secretSlot, STACK_KEYS } from "../components/config/stackSchema";
import { configKey } from "../components/formats/names";
import { parseCommandLine, PROJECT_ROOT } from "./args";

/**
 * The JSON Schema of a stack settings file (`stacks/Pulumi.NAME.yaml`), generated from the
 * stack schema, so that editors check a stack file as it is typed. It describes the shape of
 * each key (types, enums, patterns, unknown keys); rules that span fields, parse URLs or need
 * the Pulumi config (are the secrets set?) are the program's and `render`'s to check.
 */
export function stackFileJsonSchema(): Record<string, unknown> {
    const keys = Object.keys(STACK_KEYS);
    const defs: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(STACK_KEYS)) {
        const json = z.toJSONSchema(schema as z.ZodType, {
            io: "input",
            unrepresentable: "any",
            target: "draft-2020-12",
            // Unknown keys are errors in the program; say so to editors too.
            override: (ctx) => {
                // What the argument types are generated from is no JSON Schema keyword.
                for (const key of ARGS_ONLY_META) {
                    delete ctx.jsonSchema[key];
                }
                if (closedObjects.has(ctx.zodSchema as unknown as z.ZodType)) {
                    ctx.jsonSchema.additionalProperties = false;
                }
            },
        });
        delete json.$schema; // one at the top
        // Pulumi.yaml's empty default (`{}`) for an optional section means "not configured".
        const optional = (schema as z.ZodType).safeParse(undefined).success && json.type === "object";
        defs[key] = optional ? { anyOf: [json, { type: "object", maxProperties: 0 }] } : json;
    }
    const slot = z.toJSONSchema(secretSlot("KEY"));
    delete slot.$schema;
    const ref = (key: string) => ({ $ref: `#/$defs/${key}` });
    const properties = Object.fromEntries(keys.flatMap((key) => [[`${PROJECT_NAME}:${key}`, ref(key)], [key, ref(key)]]));
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: `${PROJECT_NAME} stack settings (stacks/Pulumi.NAME.yaml)`,
        description: "Generated from components/config/stackSchema.ts by `npm run schema`; do not edit by hand.",
        type: "object",
        properties: {
            config: {
                type: "object",
                properties,
                patternProperties: {
                    // The secret config key a host names in privateKeySecret.
                    [`^(${PROJECT_NAME}:)?(?!(${keys.join("|")})$)${configKey.pattern.source.slice(1)}`]: slot,
                    // Other namespaces' keys (aws:region, github:owner, ...) are theirs.
                    [`^(?!${PROJECT_NAME}:)[^:]+:.+$`]: {},
                },
                additionalProperties: false,
                // One spelling per setting: `cache` or `nix-cache:cache`, not both.
                allOf: keys.map((key) => ({ not: { required: [key, `${PROJECT_NAME}:${key}`] } })),
            },
        },
        $defs: defs,
    };
}

/** The schema file's text, as committed. */
export function stackFileJsonSchemaText(): string {
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

/** Where the JSON Schema of stack files is committed; stack files point editors at it. */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, "stacks", "stack.schema.json");

/** The command line: it takes no arguments, and says so rather than ignore them. */
export function schemaArgs(argv: readonly string[]) {
    return parseCommandLine(argv, {}, "npm run schema");
}

if (require.main === module) {
    const args = schemaArgs(process.argv.slice(2));
    if ("error" in args) {
        console.error(args.error);
        process.exitCode = 2;
    } else {
        fs.writeFileSync(SCHEMA_FILE, stackFileJsonSchemaText());
        console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    }
}
