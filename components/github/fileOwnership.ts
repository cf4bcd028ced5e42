/**
 * How the stack keeps owning a workflow file without a refresh.
 *
 * The GitHub provider updates a file with the blob SHA from the stack's state, so after an
 * outside commit an update is refused (409); only its create reads the file's current SHA. So
 * every write of the file is a create (the resource is replaced, its old instance forgotten),
 * and the file is read before each run to see whether an outside commit must be written over.
 * Which commit touched the file last is the memory between runs: the stack's own commits carry
 * its commit message, and each write names the commit it writes over, so the next run, seeing
 * the stack's commit on top, asks for exactly the same inputs (no change).
 */

/** The managed file as GitHub has it on the branch, read before writing. */
export interface RemoteWorkflowFile {
    /** The file's text. */
    readonly content: string;
    /** The commit that last changed the file. */
    readonly commitSha: string;
    /** That commit's message. */
    readonly commitMessage: string;
}

/** What the stack does with the file this run. */
export type FileOwnershipState =
    /** The file holds the rendered text: nothing to write. */
    | "inSync"
    /**
     * The stack's own commit is the last one, with other text: the configuration changed (or a
     * merge commit, which the provider's lookup skips, changed it): write the new text.
     */
    | "changedByStack"
    /** An outside commit (a hand edit, a bot's bump) changed the file: write over it. */
    | "changedOutside"
    /** The file is not on the branch (never written, or deleted): write it. */
    | "absent";

/** The decision of {@link fileOwnership}. */
export interface FileOwnership {
    readonly state: FileOwnershipState;
    /**
     * The commit message to declare. Declared as it was on the stack's last write while the
     * file is in sync, so a run that changes nothing declares the same inputs as the last one.
     */
    readonly commitMessage: string;
}

/** The paragraph a write over an outside change adds to the commit message, before the commit's SHA. */
export const OVERWRITE_NOTE = "nix-cache owns this file: this commit writes over the outside change in commit";
/** The paragraph a write of new text over the stack's own commit adds, before that commit's SHA. */
export const REPLACE_NOTE = "nix-cache owns this file: this commit replaces its text as of commit";
/** The paragraph a write of a missing file adds, before the SHA of the branch's head at that time. */
export const ABSENT_NOTE = "nix-cache owns this file: this commit writes it, absent from the branch at commit";

/** The configured message `base` with one of the notes above and the commit it names. */
export function noteMessage(base: string, note: string, commitSha: string): string {
    return `${base}\n\n${note} ${commitSha}.`;
}

/** Whether a commit message is one the stack writes with its configured message `base`. */
export function isStackMessage(message: string, base: string): boolean {
    if (message === base) {
        return true;
    }
    const note = message.startsWith(`${base}\n\n`) ? message.slice(base.length + 2) : undefined;
    return note !== undefined && [OVERWRITE_NOTE, REPLACE_NOTE, ABSENT_NOTE].some((prefix) => new RegExp(`^${prefix} [0-9a-f]{7,64}\\.$`).test(note));
}

/**
 * Decides what this run writes, from the file as GitHub has it (`undefined` when it is not on
 * the branch), the rendered text, the configured commit message, and the branch's head commit
 * (named in the message when the file is missing; "" when unknown). Pure: the same
 * observations give the same inputs, which is what keeps a second run from changing anything.
 */
export function fileOwnership(remote: RemoteWorkflowFile | undefined, rendered: string, base: string, branchHead: string): FileOwnership {
    if (remote === undefined) {
        // Naming the head makes a second deletion, at a later head, a change again.
        return { state: "absent", commitMessage: branchHead === "" ? base : noteMessage(base, ABSENT_NOTE, branchHead) };
    }
    const ours = isStackMessage(remote.commitMessage, base);
    if (remote.content === rendered) {
        // Declared as last written: the stack's message with its note, if the stack's commit is on top.
        return { state: "inSync", commitMessage: ours ? remote.commitMessage : base };
    }
    if (ours) {
        // Named even so: the declared message then always differs from the last one, so the text is
        // written even when the stack's last write was this same text (an edit the lookup skipped).
        return { state: "changedByStack", commitMessage: noteMessage(base, REPLACE_NOTE, remote.commitSha) };
    }
    return { state: "changedOutside", commitMessage: noteMessage(base, OVERWRITE_NOTE, remote.commitSha) };
}
