import { EngineEvent, OpMap, OpType, OutputMap, Stack, UpdateSummary } from "@pulumi/pulumi/automation";

/** What one engine operation did, as the engine reported it. */
export interface EngineRun {
    /** The engine's own summary of the operation (from the stack's history). */
    readonly summary: UpdateSummary;
    /** Per resource name, the steps other than `same` (e.g. `update`, `create-replacement`). */
    readonly changed: Readonly<Record<string, OpType[]>>;
    /** Resources whose step failed. */
    readonly failed: readonly string[];
    /** The stack's outputs after a successful `up`. */
    readonly outputs?: OutputMap;
    /** The error, when the operation failed. */
    readonly error?: Error;
}

/** Everything the engine printed or emitted, across operations, for the plaintext search. */
export type Transcript = string[];

/**
 * Runs `up` (or `destroy`) and records what the engine says: its output, its events and its
 * summary. A failed operation is returned, not thrown, so a test can look at what it did.
 */
export async function recordUp(stack: Stack, transcript: Transcript, options: { continueOnError?: boolean; target?: string[] } = {}): Promise<EngineRun> {
    const events = collector(transcript);
    try {
        const result = await stack.up({ ...events.options, continueOnError: options.continueOnError, target: options.target });
        return { ...(await finish(stack, events, transcript)), outputs: result.outputs };
    } catch (error) {
        return { ...(await finish(stack, events, transcript)), error: recorded(error, transcript) };
    }
}

/** Runs `preview` and returns the changes it announces; its output goes to the transcript. */
export async function recordPreview(stack: Stack, transcript: Transcript): Promise<OpMap> {
    const events = collector(transcript);
    const result = await stack.preview(events.options);
    return result.changeSummary;
}

/** What a `preview` announced, its printed output (with `--diff`), and its error (`--expect-no-changes`). */
export interface PreviewRun {
    readonly changes: OpMap;
    /** Per resource name, the steps other than `same` it announced. */
    readonly changed: Readonly<Record<string, OpType[]>>;
    readonly stdout: string;
    readonly error?: Error;
}

/** Runs `preview --diff`, optionally with `--expect-no-changes`; a failed preview is returned, not thrown. */
export async function recordPreviewDiff(stack: Stack, transcript: Transcript, options: { expectNoChanges?: boolean } = {}): Promise<PreviewRun> {
    const events = collector(transcript);
    const printed: string[] = [];
    const onOutput = (text: string) => {
        printed.push(text);
        events.options.onOutput(text);
    };
    const changed: Record<string, OpType[]> = {};
    const onEvent = (event: EngineEvent) => {
        events.options.onEvent(event);
        const step = event.resourcePreEvent?.metadata;
        if (step !== undefined && step.op !== "same") {
            (changed[resourceName(step.urn)] ??= []).push(step.op);
        }
    };
    try {
        const result = await stack.preview({ ...events.options, onOutput, onEvent, diff: true, expectNoChanges: options.expectNoChanges });
        return { changes: result.changeSummary, changed, stdout: printed.join("") };
    } catch (error) {
        return { changes: {}, changed, stdout: printed.join(""), error: recorded(error, transcript) };
    }
}

/** Like {@link recordUp}, for `destroy`. */
export async function recordDestroy(stack: Stack, transcript: Transcript, options: { continueOnError?: boolean } = {}): Promise<EngineRun> {
    const events = collector(transcript);
    try {
        await stack.destroy({ ...events.options, continueOnError: options.continueOnError });
        return finish(stack, events, transcript);
    } catch (error) {
        return { ...(await finish(stack, events, transcript)), error: recorded(error, transcript) };
    }
}

function collector(transcript: Transcript) {
    const changed: Record<string, OpType[]> = {};
    const failed: string[] = [];
    const options = {
        onOutput: (text: string) => transcript.push(text),
        onError: (text: string) => transcript.push(text),
        onEvent: (event: EngineEvent) => {
            transcript.push(JSON.stringify(event));
            const done = event.resOutputsEvent?.metadata;
            if (done !== undefined && done.op !== "same") {
                (changed[resourceName(done.urn)] ??= []).push(done.op);
            }
            const failure = event.resOpFailedEvent?.metadata;
            if (failure !== undefined) {
                failed.push(resourceName(failure.urn));
            }
        },
    };
    return { options, changed, failed };
}

async function finish(stack: Stack, events: ReturnType<typeof collector>, transcript: Transcript): Promise<Omit<EngineRun, "outputs" | "error">> {
    // Without showSecrets, which the Automation API would otherwise turn on for history.
    const [summary] = await stack.history(1, undefined, false);
    transcript.push(JSON.stringify(summary));
    return { summary, changed: events.changed, failed: events.failed };
}

// The CLI's combined output rides on the error: keep it for the plaintext search too.
function recorded(error: unknown, transcript: Transcript): Error {
    const failure = error instanceof Error ? error : new Error(String(error));
    transcript.push(failure.message);
    return failure;
}

/** The name part of a URN (`...::nix-cache-host-a-settings`). */
export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The errors the engine reported for resource `name` (its diagnostic events), joined: where a
 * test looks for the cause of that resource's failure, and only that resource's.
 */
export function failureOf(transcript: Transcript, name: string): string {
    const messages: string[] = [];
    for (const entry of transcript) {
        let event: EngineEvent;
        try {
            event = JSON.parse(entry) as EngineEvent;
        } catch {
            continue;
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic?.urn !== undefined && resourceName(diagnostic.urn) === name && diagnostic.severity === "error") {
            messages.push(diagnostic.message);
        }
    }
    return messages.join("\n");
}
