import { STACK_SECTIONS, withoutEmptySections } from "../config/stackSchema";
import { StackSectionsArgs } from "./stackArgs";

/**
 * The sections of a stack document (`cache`, `hosts`, ...), which are the components' arguments
 * as written: the stack file and the arguments are one spelling, so nothing is mapped.
 */
export function stackSectionsOf(document: Readonly<Record<string, unknown>>): StackSectionsArgs {
    // Pulumi.yaml's empty default of a section is no section, for the arguments as for the schema.
    const doc = withoutEmptySections(document) as Readonly<Record<string, unknown>>;
    const keys = Object.keys(STACK_SECTIONS).filter((key) => Object.hasOwn(doc, key) && doc[key] !== undefined);
    return Object.fromEntries(keys.map((key) => [key, doc[key]])) as unknown as StackSectionsArgs;
}
