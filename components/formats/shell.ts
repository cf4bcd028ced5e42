/** A POSIX shell word holding `value` exactly: single-quoted, with `'` as `'\''`. */
export function shQuote(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

/** The delimiter of the here-documents scripts carry file contents in. */
export const HEREDOC_DELIMITER = "NIX_CACHE_EOF";

/**
 * Shell lines writing `content` verbatim to the file named by the shell expression `target`:
 * a quoted here-document, so nothing in it is expanded. Throws on content it cannot carry.
 */
export function heredocWrite(target: string, content: string): string {
    if (!content.endsWith("\n")) {
        throw new Error("here-document content must end with a newline");
    }
    if (content.split("\n").includes(HEREDOC_DELIMITER)) {
        throw new Error(`here-document content must not contain a line "${HEREDOC_DELIMITER}"`);
    }
    return `cat > ${target} <<'${HEREDOC_DELIMITER}'\n${content}${HEREDOC_DELIMITER}`;
}
