#!/usr/bin/env bash
# `toolchain fetch` against a loopback HTTP server: a good file installs; a wrong file, a short
# file, a connection closed early, a 404 and a non-https URL all exit 3 and change nothing.
. "$TB_SOURCE_DIR/tests/lib.sh"

mkdir -p "$T/www" "$T/locks"
printf '#!/bin/true\necho tool\n' > "$T/www/tool"
head -c 100000 /dev/urandom > "$T/www/big"
head -c 50000 "$T/www/big" > "$T/www/short"
mkdir -p "$T/pack/bin" && cp "$T/www/tool" "$T/pack/bin/tool" && chmod 755 "$T/pack/bin/tool"
tar -C "$T/pack" -czf "$T/www/pack.tar.gz" bin

python3 "$TB_SOURCE_DIR/tests/toolchains/httpd.py" "$T/www" "$T/port" &
server=$!
trap 'kill $server 2>/dev/null; tb_cleanup' EXIT
tb_wait_for -s "$T/port"
base=http://127.0.0.1:$(cat "$T/port")

# lock NAME VERSION URL SHA KIND: write $T/locks/NAME-VERSION.json
lock() {
  printf '{"name": "%s", "version": "%s", "platform": "linux-amd64",\n "source": {"url": "%s", "sha256": "%s", "kind": "%s"},\n "entrypoint": ["%s"]}\n' \
    "$1" "$2" "$3" "$4" "$5" "$1" > "$T/locks/$1-$2.json"
}
digest() { sha256sum "$1" | cut -c1-64; }
lock tool 1 "$base/tool" "$(digest "$T/www/tool")" file
lock wrong 1 "$base/tool" "$(digest "$T/www/big")" file
lock short 1 "$base/short" "$(digest "$T/www/big")" file
lock truncated 1 "$base/truncated/big" "$(digest "$T/www/big")" file
lock missing 1 "$base/nothing-here" "$(digest "$T/www/big")" file
lock plain 1 "http://example.invalid/tool" "$(digest "$T/www/tool")" file
lock packed 1 "$base/pack.tar.gz" "$(digest "$T/www/pack.tar.gz")" tar.gz

expect_exit 0 "the shipped lock entries parse (gc reads them all)" "$TEEBUILD" toolchain gc --locks "$TB_SOURCE_DIR/toolchains/locks"
for v in 0.8.1:df193b15 0.8.20:a1b79de6 0.8.23:f704f362 0.8.24:e11b9ed9 0.8.26:8a97fa7a 0.8.28:7893614a; do
  check "solc ${v%:*} lock names the official static build" \
    grep -q "linux-amd64/solc-linux-amd64-v${v%:*}+commit.${v#*:}\"" "$TB_SOURCE_DIR/toolchains/locks/solc-${v%:*}.json"
done
"$TEEBUILD" toolchain list --json > "$T/list.before"
unchanged() {
  "$TEEBUILD" toolchain list --json > "$T/list.after"
  check "$1: listing unchanged" cmp -s "$T/list.before" "$T/list.after"
  check "$1: no download left in STORE/tmp" empty_dir "$TEEBUILD_STORE/tmp"
}

expect_exit 3 "wrong file" "$TEEBUILD" toolchain fetch "$T/locks/wrong-1.json"
expect_err "digest mismatch: expected sha256:$(digest "$T/www/big"), got sha256:$(digest "$T/www/tool")" \
  "wrong file: names expected and actual digests"
unchanged "wrong file"
expect_exit 3 "shorter file" "$TEEBUILD" toolchain fetch "$T/locks/short-1.json"
expect_err "digest mismatch" "shorter file: digest mismatch"
unchanged "shorter file"
expect_exit 3 "server closes early" "$TEEBUILD" toolchain fetch "$T/locks/truncated-1.json"
expect_err "download failed after 100000 bytes" "server closes early: transfer error"
unchanged "server closes early"
expect_exit 3 "404" "$TEEBUILD" toolchain fetch "$T/locks/missing-1.json"
unchanged "404"
expect_exit 3 "plain http to another host" "$TEEBUILD" toolchain fetch "$T/locks/plain-1.json"
expect_err "only https URLs" "plain http refused before any connection"
expect_exit 3 "too large" "$TEEBUILD" toolchain fetch --max-size 1K "$T/locks/truncated-1.json"
unchanged "too large"

expect_exit 0 "good file installs" "$TEEBUILD" toolchain fetch "$T/locks/tool-1.json"
check "good file: listed" grep -q "^tool *1 *sha256:$(digest "$T/www/tool")" <("$TEEBUILD" toolchain list)
check "good file: bin/tool" cmp -s "$T/www/tool" "$TEEBUILD_STORE/toolchains/$(digest "$T/www/tool")/root/bin/tool"
check "good file: uri recorded" grep -q "\"uri\":\"$base/tool\"" <("$TEEBUILD" toolchain list --json)
expect_exit 0 "NAME@VERSION from --locks, already installed" "$TEEBUILD" toolchain fetch --locks "$T/locks" tool@1
expect_err "already installed" "second fetch downloads nothing"
expect_exit 0 "archive installs" "$TEEBUILD" toolchain fetch --locks "$T/locks" packed@1
expect_exit 0 "fetched toolchains verify" "$TEEBUILD" toolchain verify
expect_exit 3 "unknown NAME@VERSION" "$TEEBUILD" toolchain fetch --locks "$T/locks" nope@1
expect_exit 3 "shipped solc-js lock has no URL" "$TEEBUILD" toolchain fetch "$TB_SOURCE_DIR/toolchains/locks/solc-js-0.8.24.json"
expect_err "make-pack.sh" "no-URL error points at make-pack.sh"
expect_exit 2 "usage: no argument" "$TEEBUILD" toolchain fetch
done_testing
