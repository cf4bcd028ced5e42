import { data, Evaluator, Lexer, Parser } from "@actions/expressions";

/** `${{ X }}` -> `X`; an `if:` value is already a bare expression. */
export function unwrap(value: string): string {
    const match = /^\$\{\{\s*([\s\S]*?)\s*\}\}$/.exec(value);
    return match ? match[1] : value;
}

/** Evaluates a workflow expression with GitHub's own engine (`@actions/expressions`). */
export function evaluate(expression: string, contexts: Record<string, unknown>): data.ExpressionData {
    const lexed = new Lexer(unwrap(expression)).lex();
    const ast = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
    const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
    return new Evaluator(ast, context).evaluate();
}

/** The value of a result that must be a boolean. */
export function bool(value: data.ExpressionData): boolean {
    if (!(value instanceof data.BooleanData)) {
        throw new Error(`expected a boolean result; got ${data.Kind[value.kind]}`);
    }
    return value.value;
}
