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

/** How the job stands when a step's `if:` is evaluated: what GitHub's status functions answer. */
export type JobStatus = "success" | "failure" | "cancelled";

/**
 * Evaluates a step's `if:` with GitHub's engine and its status functions (`success()`,
 * `failure()`, `cancelled()`, `always()`) answering for `status`. Like GitHub, an `if:` that
 * calls none of them is evaluated as `success() && (IF)`.
 */
export function evaluateStepIf(expression: string, contexts: Record<string, unknown>, status: JobStatus): boolean {
    const answers: Record<string, boolean> = { success: status === "success", failure: status === "failure", cancelled: status === "cancelled", always: true };
    const functions = Object.keys(answers).map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
    const bare = unwrap(expression);
    const text = /\b(success|failure|cancelled|always)\(\)/.test(bare) ? bare : `success() && (${bare})`;
    const ast = new Parser(new Lexer(text).lex().tokens, Object.keys(contexts), functions).parse();
    const definitions = new Map(functions.map((f) => [f.name, { ...f, call: () => new data.BooleanData(answers[f.name]) }]));
    const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
    return bool(new Evaluator(ast, context, definitions).evaluate());
}
