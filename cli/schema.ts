import * as fs from "fs";
import * as path from "path";
import { stackFileJsonSchemaText } from "../components/config/jsonSchema";
import { PROJECT_ROOT } from "./args";

/** Where the JSON Schema of stack files is committed; stack files point editors at it. */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, "stacks", "stack.schema.json");

if (require.main === module) {
    fs.writeFileSync(SCHEMA_FILE, stackFileJsonSchemaText());
    console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
