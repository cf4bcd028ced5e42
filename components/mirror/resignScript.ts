/**
 * The script of CI's re-sign step during a key rotation. `nix copy` skips paths already in the
 * bucket, so they keep only the old key's signature; this signs every path in the bucket with
 * the current key, so the old key can be dropped without a path becoming untrusted.
 *
 * It lists the bucket's narinfos with the AWS CLI (preinstalled on GitHub's runners), reads
 * each one's `StorePath`, and has Nix add the signature in the store itself:
 * `nix store sign --store 's3://…'` rewrites each narinfo with the new `Sig:` line added. It
 * reads `MIRROR_STORE` (the push URL), `MIRROR_BUCKET`, optionally `MIRROR_ENDPOINT` (an
 * S3-compatible server) and `MIRROR_SIGNING_KEY`; the key is written to a private file under
 * `$RUNNER_TEMP` and removed on exit. Any failure reports an error annotation and fails the
 * step (bash runs with `-eo pipefail`). Signing twice with a key adds nothing, so an
 * interrupted run is simply run again.
 */
export function resignScript(): string {
    return [
        'key_file="$RUNNER_TEMP/nix-mirror-resign-key"',
        'work="$(mktemp -d)"',
        'trap \'rm -rf "$work" "$key_file"\' EXIT',
        'trap \'echo "::error title=S3 mirror re-sign failed::some paths may still carry only the previous key; keep previousKeyName until a run succeeds."\' ERR',
        'if [ -z "${MIRROR_SIGNING_KEY:-}" ]; then',
        '  echo "::error::The signing key secret is empty or not visible to this run; nothing can be re-signed."',
        "  exit 1",
        "fi",
        '(umask 077 && printf \'%s\' "$MIRROR_SIGNING_KEY" > "$key_file")',
        "endpoint=()",
        'if [ -n "${MIRROR_ENDPOINT:-}" ]; then endpoint=(--endpoint-url "$MIRROR_ENDPOINT"); fi',
        'aws s3api list-objects-v2 "${endpoint[@]}" --bucket "$MIRROR_BUCKET" --query "Contents[].Key" --output text > "$work/keys"',
        'tr \'\\t\' \'\\n\' < "$work/keys" | { grep -E \'^[0-9a-z]{32}\\.narinfo$\' || true; } > "$work/narinfos"',
        'while read -r narinfo; do',
        '  aws s3 cp "${endpoint[@]}" "s3://$MIRROR_BUCKET/$narinfo" - | sed -n \'s/^StorePath: //p\'',
        'done < "$work/narinfos" > "$work/paths"',
        'if [ -s "$work/paths" ]; then',
        '  xargs nix store sign --store "$MIRROR_STORE" --key-file "$key_file" < "$work/paths"',
        "fi",
        'echo "re-signed $(wc -l < "$work/paths") paths in the mirror with the current key"',
        "",
    ].join("\n");
}
