#!/bin/bash
# The command line of design.md: --help on every command and subcommand (exit 0, usage on stdout),
# usage errors in one line "teebuild: <cmd>: <why>" with exit 2, options after operands, --version.
. "$TB_SOURCE_DIR/tests/lib.sh"

commands=(build audit run verify reprotest quote "quote verify" tee-sim toolchain "toolchain add" "toolchain fetch"
  "toolchain list" "toolchain verify" "toolchain gc" "toolchain pack")
for c in "${commands[@]}"; do
  read -ra words <<<"$c"
  expect_exit 0 "$c --help" "$TEEBUILD" "${words[@]}" --help
  check "$c --help: usage on stdout, nothing on stderr" \
    bash -c 'grep -q "^usage: teebuild" "$1" && ! [ -s "$2" ]' _ "$T/last.out" "$T/last.err"
  expect_exit 2 "$c --bogus" "$TEEBUILD" "${words[@]}" --bogus
  check "$c --bogus: one line naming the command and the option" \
    bash -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -Eq "^teebuild: $2: unknown (option|subcommand) .?--bogus" "$1"' _ \
    "$T/last.err" "$c"
done

expect_exit 2 "a missing value" "$TEEBUILD" verify OUT --policy
expect_err "^teebuild: verify: --policy needs a value" "says which option lacks its value"
expect_exit 2 "an unknown short option in a cluster" "$TEEBUILD" build -xh
expect_err "^teebuild: build: unknown option -x" "names it"

# Options after the operand, as design.md writes them: the missing OUT is the failure, not usage.
expect_exit 3 "verify OUT --allow-simulated --time N" "$TEEBUILD" verify "$T/missing" --allow-simulated --time 1
expect_err "^teebuild: verify: $T/missing: No such file" "fails on the OUT (bad input), not on the command line"
mkdir -p "$T/empty-out"
expect_exit 6 "verify of an OUT without its bundle" "$TEEBUILD" verify "$T/empty-out" --allow-simulated
expect_err "^teebuild: verify: bundle: " "a missing bundle is evidence that does not verify"
expect_exit 3 "quote verify QUOTE --collateral FILE" "$TEEBUILD" quote verify "$T/missing" --collateral "$T/missing"
expect_exit 3 "toolchain add PATH --sha256 HEX" "$TEEBUILD" toolchain add "$T/missing" --sha256 "$(printf '0%.0s' {1..64})"

# --json: one object on stdout for every outcome past the global options, failures before a
# command's own result included (design.md: "--json prints one object on stdout").
json_failure() { python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))
sys.exit(0 if o["ok"] is False and o["exitCode"] == int(sys.argv[2]) and o["error"].startswith(sys.argv[3]) else 1)' "$T/last.out" "$@"; }
expect_exit 3 "--json verify of a missing OUT" "$TEEBUILD" --json verify "$T/missing"
check "--json: the failure as one object (exit 3)" json_failure 3 "verify: $T/missing"
echo '{"tcbStatus": 1' >"$T/bad-policy.json"
expect_exit 3 "--json verify with a malformed --policy" "$TEEBUILD" --json verify "$T/empty-out" --policy "$T/bad-policy.json"
check "--json: the policy failure as one object" json_failure 3 "verify"
expect_exit 2 "--json with an unknown option" "$TEEBUILD" --json verify --bogus
check "--json: a usage failure as one object (exit 2)" json_failure 2 "verify: unknown option --bogus"
expect_exit 3 "--json quote verify of a missing quote" "$TEEBUILD" --json quote verify "$T/missing" --collateral "$T/missing"
check "--json quote verify: exactly one object" python3 -c 'import json, sys; json.loads(open(sys.argv[1]).read())' "$T/last.out"

# A failing job under --tee auto with no TEE: its error is the first line; the SIMULATED warning
# about the evidence it is still attested with follows it.
(
  cd "$T" && tb_host_busybox && tb_copy_job
  sed 's/"cp", "\/src\/A.json", "\/out\/A.json"/"false"/' job.json >fail.json
  expect_exit 1 "a failing job under --tee auto" env -u DSTACK_SIMULATOR_ENDPOINT -u TAPPD_SIMULATOR_ENDPOINT \
    TEEBUILD_TSM_ROOT="$T/no-tsm" "$TEEBUILD" run fail.json -o "$T/fail-out"
  expect_err '^teebuild: run: job exited with status 1$' "its error is the first line"
  check "the SIMULATED warning follows it" bash -c "tail -n +2 '$T/last.err' | grep -q 'warning: tee: .*SIMULATED'"
  exit "$tb_failed"
) | tee "$T/sub.tap" | grep -v '^1\.\.'
sub_failed=$(grep -c '^not ok' "$T/sub.tap")
tb_n=$((tb_n + $(grep -c '^\(not \)\?ok' "$T/sub.tap")))
tb_failed=$((tb_failed + sub_failed))

# Where the store is (design.md): --store, else $TEEBUILD_STORE, else $XDG_CACHE_HOME/teebuild,
# else ~/.cache/teebuild; the one chosen is where `toolchain add` installs.
bb=$(command -v busybox)
bb_sha=$(sha256sum "$bb" | cut -d' ' -f1)
add_bb() { "$TEEBUILD" "$@" -q toolchain add "$bb" --sha256 "$bb_sha" --name bb --version 1 >/dev/null 2>&1; }
env -u TEEBUILD_STORE -u XDG_CACHE_HOME HOME="$T/home" bash -c "$(declare -f add_bb); bb=$bb bb_sha=$bb_sha TEEBUILD=$TEEBUILD add_bb"
check "no variable: ~/.cache/teebuild" test -d "$T/home/.cache/teebuild/toolchains/$bb_sha"
env -u TEEBUILD_STORE XDG_CACHE_HOME="$T/xdg" HOME="$T/home2" bash -c "$(declare -f add_bb); bb=$bb bb_sha=$bb_sha TEEBUILD=$TEEBUILD add_bb"
check "XDG_CACHE_HOME: \$XDG_CACHE_HOME/teebuild" test -d "$T/xdg/teebuild/toolchains/$bb_sha"
TEEBUILD_STORE="$T/env-store" XDG_CACHE_HOME="$T/xdg2" add_bb
check "TEEBUILD_STORE before XDG_CACHE_HOME" bash -c "test -d '$T/env-store/toolchains/$bb_sha' && test ! -e '$T/xdg2'"
TEEBUILD_STORE="$T/env-store2" add_bb --store "$T/opt-store"
check "--store before TEEBUILD_STORE" bash -c "test -d '$T/opt-store/toolchains/$bb_sha' && test ! -e '$T/env-store2'"

expect_exit 0 "--version" "$TEEBUILD" --version
check "--version: teebuild X.Y.Z" grep -Eqx 'teebuild [0-9]+\.[0-9]+\.[0-9]+' "$T/last.out"
expect_exit 2 "no command" "$TEEBUILD"
expect_err "^teebuild: no command given" "one line first, then the commands"
expect_exit 2 "an unknown command" "$TEEBUILD" frobnicate
expect_err "^teebuild: unknown command 'frobnicate'" "in one line"
done_testing
