#!/bin/bash
# teebuild run -> verify through the binary, with the simulated TEE: the verdicts, the named check
# for each tamper, determinism of the statement, the binding recomputed with the openssl CLI, and
# independent verifiers (securesystemslib, in-toto-attestation, @sigstore/core, @phala/dstack-sdk).
. "$TB_SOURCE_DIR/tests/lib.sh"

cd "$T"
tb_host_busybox
mkdir -p in/sub
echo '{"contract": "A"}' >in/sub/A.json
cat >job.json <<'JOB'
{"toolchains": {"bb": "busybox@test"}, "inputs": "in",
 "argv": ["/toolchain/bb/bin/busybox", "cp", "-r", "/src/sub", "/out/sub"]}
JOB

expect_exit 0 "run with --tee simulated" "$TEEBUILD" --tee simulated --json run job.json -o "$T/out"
check "--json names the simulated provider" grep -q '"tee":"simulated"' "$T/last.out"
check "provenance.json and the bundle are written" test -s out/provenance.json -a -s out/teebuild.bundle.json

expect_exit 6 "verify without --allow-simulated" "$TEEBUILD" verify out
expect_err '^teebuild: verify: tee: .*SIMULATED' "the TEE check is named"
expect_exit 0 "verify --allow-simulated" "$TEEBUILD" verify --allow-simulated out
expect_exit 0 "verify --json" "$TEEBUILD" --json verify --allow-simulated out
check "--json lists every check in order" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
names = [c["name"] for c in r["checks"]]
assert r["ok"] and r["tee"] == "simulated" and r["tcbStatus"] == "UpToDate" and r["subjects"] == 3, r
assert r["simulated"] is True, r
assert names[:9] == ["bundle", "envelope-signature", "binding", "quote", "tee", "tcb-status", "measurements",
                     "dstack-app", "subjects"], names' "$T/last.out"

# --policy: measurements and TCB statuses (attest/policy.h's format)
mrtd=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print([c for c in r["checks"] if c["name"] == "measurements"][0]["detail"].split("mrtd ")[1])' "$T/last.out")
echo "{\"mrtd\": [\"$mrtd\"], \"tcbStatus\": [\"UpToDate\"]}" >good-policy.json
echo '{"mrtd": ["00"]}' >bad-mrtd.json
echo '{"tcbStatus": ["OutOfDate"]}' >bad-tcb.json
expect_exit 0 "a policy pinning the MRTD" "$TEEBUILD" verify --allow-simulated --policy good-policy.json out
expect_exit 6 "a policy pinning another MRTD" "$TEEBUILD" verify --allow-simulated --policy bad-mrtd.json out
expect_err '^teebuild: verify: measurements: mrtd ' "the measurements check is named"
expect_exit 6 "a policy not allowing UpToDate" "$TEEBUILD" verify --allow-simulated --policy bad-tcb.json out
expect_err '^teebuild: verify: tcb-status: UpToDate' "the tcb-status check is named"

# ... nor can a job plant such a file in its own OUT unattested: the run fails, and no OUT is left
# (the python profile lets the job's shell start the printf).
cat >bad-name.json <<'JOB'
{"toolchains": {"bb": "busybox@test"}, "inputs": "in",
 "argv": ["/toolchain/bb/bin/busybox", "sh", "-c", "echo {} > /out/A.json; echo x > \"/out/$(printf '\\377')hidden\""],
 "seccomp": "python"}
JOB
expect_exit 3 "a job writing a non-UTF-8 file name" "$TEEBUILD" --tee simulated run bad-name.json -o "$T/out-bad-name"
expect_err 'a file name that is not UTF-8 cannot be a subject' "the run names it"
check "... and leaves no OUT" test ! -e "$T/out-bad-name"

expect_exit 2 "--collateral and --pccs together" "$TEEBUILD" verify --collateral x --pccs http://127.0.0.1:1 out
expect_exit 6 "--rebuild of a run job" "$TEEBUILD" verify --allow-simulated --rebuild out
expect_err '^teebuild: verify: rebuild: only https://teebuild.dev/solc-build/v1' "says why it cannot be rebuilt"

# each tamper, through the CLI: exit 6, first line naming the check
tamper() { # NAME CHECK COMMAND...: copy out, apply COMMAND inside it, verify
  local name=$1 want=$2; shift 2
  rm -rf "$T/t" && cp -a out "$T/t" && (cd "$T/t" && "$@")
  expect_exit 6 "tamper: $name" "$TEEBUILD" verify --allow-simulated "$T/t"
  expect_err "^teebuild: verify: $want: " "tamper: $name is named by the $want check"
}
flip_byte() { # FILE OFFSET
  python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 1; open(p, "wb").write(b)' "$@"
}
tamper "artifact byte flipped" subjects flip_byte artifacts/sub/A.json 3
tamper "file added to artifacts" subjects sh -c 'echo x > artifacts/extra'
tamper "file removed from artifacts" subjects rm artifacts/sub/A.json
# A name JSON cannot hold (not UTF-8) was once left out of both the subjects and verify's walk.
tamper "file with a non-UTF-8 name added" subjects sh -c "echo x > artifacts/\$(printf '\\377')payload.sh"
expect_err 'artifacts/\\xffpayload.sh: a file name that is not UTF-8' "... named, bytes escaped"
tamper "bundle truncated" bundle truncate -s 500 teebuild.bundle.json
edit_bundle() { # PYTHON-EXPR on b (the bundle dict)
  python3 -c 'import json, base64, sys; b = json.load(open("teebuild.bundle.json")); exec(sys.argv[1]); json.dump(b, open("teebuild.bundle.json", "w"))' "$1"
}
tamper "signature" envelope-signature edit_bundle '
s = bytearray(base64.b64decode(b["dsseEnvelope"]["signatures"][0]["sig"])); s[-2] ^= 1
b["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(s).decode()'
tamper "report_data byte in the quote" binding edit_bundle '
q = bytearray(base64.b64decode(b["tee"]["quote"])); q[600] ^= 1; b["tee"]["quote"] = base64.b64encode(q).decode()'
tamper "byte in the quote's signed body" quote edit_bundle '
q = bytearray(base64.b64decode(b["tee"]["quote"])); q[200] ^= 1; b["tee"]["quote"] = base64.b64encode(q).decode()'
tamper "provider relabelled (it is not signed; the statement's builder id is)" tee edit_bundle '
b["tee"]["provider"] = "dstack"'

# the same job twice: byte-identical statements apart from runDetails.metadata
expect_exit 0 "run the same job again" "$TEEBUILD" --tee simulated run job.json -o "$T/out2"
check "same payload apart from runDetails.metadata" python3 -c '
import json, sys
def strip(p):
    s = json.load(open(p)); del s["predicate"]["runDetails"]["metadata"]; return s
a, b = strip(sys.argv[1]), strip(sys.argv[2])
assert a == b
ma = json.load(open(sys.argv[1]))["predicate"]["runDetails"]["metadata"]
mb = json.load(open(sys.argv[2]))["predicate"]["runDetails"]["metadata"]
assert ma["invocationId"] != mb["invocationId"]' out/provenance.json out2/provenance.json
check "provenance.json is canonical (sorted keys, no whitespace)" python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()' \
  out/provenance.json

# the binding, recomputed from the files alone with the openssl CLI
python3 -c 'import json, sys; b = json.load(open(sys.argv[1]))
open("pub.pem", "w").write(b["verificationMaterial"]["publicKey"])
open("quote.b64", "w").write(b["tee"]["quote"])' out/teebuild.bundle.json
payload_sha=$(openssl dgst -sha256 -r out/provenance.json | cut -d' ' -f1)
spki_sha=$(openssl pkey -pubin -in pub.pem -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
quote_rd=$(openssl base64 -d -A -in quote.b64 | od -An -tx1 -j568 -N64 -v | tr -d ' \n')
check "openssl: quote report_data = SHA-256(provenance.json) || SHA-256(SPKI)" test "$quote_rd" = "$payload_sha$spki_sha"

# independent verifiers, pinned (tests/attest/requirements.txt, package-lock.json)
bash "$TB_SOURCE_DIR/tests/attest/install-deps.sh" >"$T/deps.log" 2>&1 || { sed 's/^/#   /' "$T/deps.log"; fail "install the pinned verifiers"; }
expect_exit 0 "securesystemslib + in-toto-attestation accept the bundle" \
  "$TB_SOURCE_DIR/build-deps/attest-venv/bin/python" "$TB_SOURCE_DIR/tests/attest/interop_verify.py" out
export NODE_PATH="$TB_SOURCE_DIR/tests/attest/node_modules"
expect_exit 0 "@sigstore/core verifies the DSSE envelope" node "$TB_SOURCE_DIR/tests/attest/interop_verify.js" out

# Phala's SDK against our simulator
"$TEEBUILD" tee-sim --socket "$T/dstack.sock" 2>"$T/sim.err" &
sim=$!
tb_wait_for -S "$T/dstack.sock"
expect_exit 3 "a second tee-sim on a live socket is refused" "$TEEBUILD" tee-sim --socket "$T/dstack.sock"
expect_err 'already listening' "it says why"
DSTACK_SIMULATOR_ENDPOINT="$T/dstack.sock" expect_exit 0 "@phala/dstack-sdk gets a quote from tee-sim" \
  node "$TB_SOURCE_DIR/tests/attest/dstack_sdk_quote.js"
# and our dstack client through DSTACK_SIMULATOR_ENDPOINT, as Phala's SDKs use it
DSTACK_SIMULATOR_ENDPOINT="$T/dstack.sock" expect_exit 0 "--tee dstack honours DSTACK_SIMULATOR_ENDPOINT" \
  "$TEEBUILD" --tee dstack --json quote --report-data 1234
check "the quote over 1234 is padded" grep -q '"reportData":"1234000000' "$T/last.out"
# ...and through an http:// DSTACK_SIMULATOR_ENDPOINT, as the SDKs accept it too
python3 "$TB_SOURCE_DIR/tests/attest/agent_standin.py" http "$T/port" "$T/dstack.sock" &
front=$!
tb_wait_for -s "$T/port"
DSTACK_SIMULATOR_ENDPOINT="http://127.0.0.1:$(cat "$T/port")" expect_exit 0 "--tee dstack over an http endpoint" \
  "$TEEBUILD" --tee dstack --json quote --report-data abcd
check "the quote over abcd is padded" grep -q '"reportData":"abcd000000' "$T/last.out"
kill "$front"
kill "$sim" && wait "$sim"
check "tee-sim removes its socket on SIGTERM" test ! -e "$T/dstack.sock"

# provider errors: one line, exit 5
DSTACK_SIMULATOR_ENDPOINT="$T/nothing.sock" expect_exit 5 "--tee dstack with no agent" \
  "$TEEBUILD" --tee dstack quote --report-data 00
expect_err '^teebuild: quote: tee dstack: .*nothing.sock' "the dstack error names the endpoint"
check "the error is one line" test "$(wc -l <"$T/last.err")" -eq 1
expect_exit 2 "report_data longer than 64 bytes" "$TEEBUILD" --tee simulated quote --report-data "$(printf '%0130d' 0)"

# legacy tappd (a stand-in agent): TdxQuote with hash_algorithm raw and exactly 64 bytes
python3 "$TB_SOURCE_DIR/tests/attest/agent_standin.py" tappd "$T/tappd.sock" "$T/tappd.log" &
tappd=$!
tb_wait_for -S "$T/tappd.sock"
TAPPD_SIMULATOR_ENDPOINT="$T/tappd.sock" expect_exit 0 "--tee tappd" "$TEEBUILD" --tee tappd quote --report-data 1234
check "tappd was asked for a raw 64-byte report_data" python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["path"] == "/prpc/Tappd.TdxQuote?json" and r["body"]["hash_algorithm"] == "raw", r
assert r["body"]["report_data"] == "1234" + "0" * 124, r' "$T/tappd.log"
check "the tappd quote is passed through" grep -qx "04001234$(printf '%0124d' 0)$(printf '%01132d' 0)" "$T/last.out"
DSTACK_SIMULATOR_ENDPOINT="$T/tappd.sock" expect_exit 5 "a job whose agent answers HTTP 400" \
  "$TEEBUILD" --tee dstack run job.json -o "$T/out-agent-error"
expect_err '^teebuild: run: attest: tee dstack: agent at .*: HTTP 400: expected TdxQuote' \
  "the agent's own error is the one line"
check "no OUT is left behind" test ! -e "$T/out-agent-error"
kill "$tappd"

# --key: a PEM P-256 key of the user's (TEEBUILD_SIGNING_KEY) instead of the ephemeral one
openssl ecparam -name prime256v1 -genkey -noout -out user.key 2>/dev/null
openssl pkey -in user.key -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1 >user.keyid
TEEBUILD_SIGNING_KEY="$T/user.key" expect_exit 0 "run signed with the user's key" \
  "$TEEBUILD" --tee simulated run job.json -o "$T/out-key"
check "the keyid names the user's key" grep -q "\"keyid\": \"sha256:$(cat user.keyid)\"" out-key/teebuild.bundle.json
expect_exit 0 "and it verifies" "$TEEBUILD" verify --allow-simulated out-key

# configfs-tsm: no root, and a root that is not configfs (no generation appears)
TEEBUILD_TSM_ROOT="$T/no-tsm" expect_exit 5 "--tee tsm without configfs-tsm" "$TEEBUILD" --tee tsm quote --report-data 00
expect_err '^teebuild: quote: tee tsm: no configfs-tsm at ' "the tsm error names the root"
mkdir -p "$T/fake-tsm"
TEEBUILD_TSM_ROOT="$T/fake-tsm" expect_exit 5 "--tee tsm on a directory that is not configfs" \
  "$TEEBUILD" --tee tsm quote --report-data 00
expect_err '^teebuild: quote: tee tsm: .*generation' "the missing generation attribute is named"
check "the report entry is removed again" test -z "$(ls "$T/fake-tsm")"

# auto with no TEE at all falls back to the simulator, loudly
expect_exit 0 "--tee auto without a TEE" env -u DSTACK_SIMULATOR_ENDPOINT -u TAPPD_SIMULATOR_ENDPOINT \
  TEEBUILD_TSM_ROOT="$T/no-tsm" "$TEEBUILD" --tee auto quote --report-data 00
check "auto says it fell back to the SIMULATED TEE" grep -q 'warning: tee: .*SIMULATED' "$T/last.err"

# --tee none: signed but no evidence
expect_exit 0 "run with --tee none" "$TEEBUILD" --tee none run job.json -o "$T/out-none"
expect_exit 6 "no evidence never verifies" "$TEEBUILD" verify --allow-simulated out-none
expect_err '^teebuild: verify: quote: no TEE evidence' "the quote check is named"

done_testing
