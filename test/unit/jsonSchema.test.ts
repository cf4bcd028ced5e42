import Ajv2020 from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SCHEMA_FILE, stackFileJsonSchemaText } from "../../cli/schema";

const STACKS = path.resolve(__dirname, "../../stacks");
const committed = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committed);

/** The JSON Schema's verdict on a stack file's text: the error paths, none when it is valid. */
function schemaErrors(yamlText: string): string[] {
    return validate(parse(yamlText)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("the stack files' JSON Schema", () => {
    it("is the one generated from the stack schema (run `npm run schema` after changing it)", () => {
        expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(stackFileJsonSchemaText());
    });

    it("accepts every example stack", () => {
        const stacks = fs.readdirSync(STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
        expect(stacks.length).toBeGreaterThanOrEqual(3);
        for (const file of stacks) {
            expect(schemaErrors(fs.readFileSync(path.join(STACKS, file), "utf8")), file).toEqual([]);
        }
    });

    it("points every example stack's editor at it", () => {
        for (const file of fs.readdirSync(STACKS).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            expect(fs.readFileSync(path.join(STACKS, file), "utf8"), file).toMatch(/^# yaml-language-server: \$schema=\.\/stack\.schema\.json$/m);
        }
    });

    it("flags what an editor should: a typo, a wrong type, a value outside an enum, a plain-text secret", () => {
        const base = "config:\n  nix-cache:cache:\n    name: atproto\n    publicKeys: [atproto.cachix.org-1:mgH0q9dt3ZI9puHEfIGDnkRBfT80I3vfEh4Wda2B0rk=]\n";
        expect(schemaErrors(base)).toEqual([]);
        expect(schemaErrors(`${base}    publicKey: []\n`).join()).toMatch(/\/config\/nix-cache:cache must NOT have additional properties/);
        expect(schemaErrors(`${base}  nix-cache:hosts: host-a\n`).join()).toMatch(/\/config\/nix-cache:hosts must be array/);
        expect(schemaErrors(`${base}  nix-cache:hosts:\n    - {name: a, kind: debian, address: h, sshAgent: true}\n`).join()).toMatch(/kind must be equal to one of the allowed values/);
        expect(schemaErrors(`${base}  nix-cache:cachixAuthToken: plain\n`).join()).toMatch(/cachixAuthToken must be object/);
        expect(schemaErrors(`${base}  nix-cache:cachixAuthToken:\n    secure: v1:abc\n  aws:region: eu-west-1\n`)).toEqual([]);
        expect(schemaErrors(`${base}  nix-cache:extraCache: []\n`).join()).toMatch(/must NOT have additional properties|must be object/);
        expect(schemaErrors(`${base}  cache: {name: other, publicKeys: []}\n`).join()).toMatch(/\/config must NOT be valid/);
        expect(schemaErrors(`${base}  nix-cache:hosts:\n    - {name: a, kind: nix, address: h, sshAgent: true, privateKeySecret: constructor}\n  nix-cache:constructor: {secure: v1:abc}\n`)).not.toEqual([]);
    });
});
