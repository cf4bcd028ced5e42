/** A Nix string literal; escapes what would end or interpolate it. */
export function nixString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$\{/g, "\\${")}"`;
}

/** A multi-line Nix list of strings, indented by `indent` spaces. */
export function nixStringList(values: readonly string[], indent: number): string {
    const pad = " ".repeat(indent);
    return ["[", ...values.map((v) => `${pad}  ${nixString(v)}`), `${pad}]`].join("\n");
}
