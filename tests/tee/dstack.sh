#!/bin/bash
# dstack's agent-side features through the binary, against `teebuild tee-sim` (the dstack protocol):
# Info recorded in builderDependencies; --key FILE and --key dstack through verify; every link of
# the GetKey signature chain tampered; the chain re-checked by an independent implementation.
. "$TB_SOURCE_DIR/tests/lib.sh"

cd "$T"
tb_host_busybox
tb_copy_job
bundle_field() { # OUT PYTHON-EXPR on b (the bundle) and p (the statement)
  python3 -c 'import json, base64, sys
b = json.load(open(sys.argv[1] + "/teebuild.bundle.json")); p = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
print(eval(sys.argv[2]))' "$@"
}
# The simulator's event log, for comparing Info with what the quote attests.
event() { bundle_field "$1" "[e['event_payload'] for e in b['tee']['eventLog'] if e['event'] == '$2'][0]"; }

# ---- Info -> builderDependencies
expect_exit 0 "run with --tee simulated" "$TEEBUILD" --tee simulated run job.json -o "$T/out"
check "builderDependencies name the dstack app" test "$(bundle_field out \
  "[d['name'] for d in p['predicate']['runDetails']['builder']['builderDependencies']]")" = "['teebuild', 'dstack-app']"
app() { bundle_field "$1" "[d for d in p['predicate']['runDetails']['builder']['builderDependencies'] if d['name'] == 'dstack-app'][0]$2"; }
check "appId is the event log's app-id" test "$(app out "['annotations']['appId']")" = "$(event out app-id)"
check "composeHash is the event log's compose-hash" test "$(app out "['annotations']['composeHash']")" = "$(event out compose-hash)"
check "osImageHash is the event log's os-image-hash" test "$(app out "['annotations']['osImageHash']")" = "$(event out os-image-hash)"
check "instanceId is the event log's instance-id" test "$(app out "['annotations']['instanceId']")" = "$(event out instance-id)"
check "the descriptor's digest is the compose hash" test "$(app out "['digest']['sha256']")" = "$(event out compose-hash)"
expect_exit 0 "it verifies" "$TEEBUILD" --json verify --allow-simulated out
check "the dstack-app check matched every field to the replayed event log" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "dstack-app"]
assert c and c[0]["ok"] and c[0]["detail"].startswith("4 of"), c' "$T/last.out"
expect_exit 0 "run with --tee none" "$TEEBUILD" --tee none run job.json -o "$T/out-none"
check "no agent, no dstack-app dependency" test "$(bundle_field out-none \
  "len(p['predicate']['runDetails']['builder']['builderDependencies'])")" = 1

# ---- --key FILE
openssl ecparam -name prime256v1 -genkey -noout -out user.key 2>/dev/null
openssl pkey -in user.key -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1 >user.keyid
expect_exit 0 "run --key FILE" "$TEEBUILD" --tee simulated run job.json --key "$T/user.key" -o "$T/out-file"
check "the keyid names the user's key" test "$(bundle_field out-file "b['dsseEnvelope']['signatures'][0]['keyid']")" = \
  "sha256:$(cat user.keyid)"
check "no key chain for a key file" test "$(bundle_field out-file "'keySignatureChain' in b['tee']")" = False
expect_exit 0 "and it verifies" "$TEEBUILD" verify --allow-simulated out-file
openssl ecparam -name secp384r1 -genkey -noout -out p384.key 2>/dev/null
expect_exit 3 "--key with a P-384 key" "$TEEBUILD" --tee simulated run job.json --key "$T/p384.key" -o "$T/out-p384"
expect_err '^teebuild: run: attest: .*not an ECDSA P-256 key' "the key is refused in one line"
for cmd in build run audit; do
  expect_exit 0 "$cmd --help" "$TEEBUILD" "$cmd" --help
  check "$cmd --help documents --key FILE|dstack" grep -q -- '--key FILE|dstack' "$T/last.out"
done

# ---- --key dstack through the simulated provider
expect_exit 0 "run --key dstack" "$TEEBUILD" --tee simulated run job.json --key dstack -o "$T/out-dk"
expect_exit 0 "run --key dstack again" "$TEEBUILD" --tee simulated run job.json --key dstack -o "$T/out-dk2"
keyid() { bundle_field "$1" "b['dsseEnvelope']['signatures'][0]['keyid']"; }
check "the derived key is the same for every run of the app" test "$(keyid out-dk)" = "$(keyid out-dk2)"
check "and is not an ephemeral one" test "$(keyid out-dk)" != "$(keyid out)"
check "the bundle carries the chain" test "$(bundle_field out-dk "sorted(b['tee']['keySignatureChain'])")" = \
  "['appId', 'derivedPublicKey', 'keyLinkSignature', 'path', 'purpose', 'signatureChain']"
expect_exit 0 "verify --json" "$TEEBUILD" --json verify --allow-simulated out-dk
check "the key-chain check passed, anchored at the simulated KMS" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "key-chain"]
assert c and c[0]["ok"] and "the event log" in c[0]["detail"], c' "$T/last.out"
root=$(python3 -c 'import json, sys; c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "key-chain"][0]
print(c["detail"].rsplit(" ", 1)[1])' "$T/last.out")

# the chain checked by @noble/curves against what @phala/dstack-sdk's GetKey returns
"$TEEBUILD" tee-sim --socket "$T/dstack.sock" 2>"$T/sim.err" &
sim=$!
tb_wait_for -S "$T/dstack.sock"
DSTACK_SIMULATOR_ENDPOINT="$T/dstack.sock" NODE_PATH="$TB_SOURCE_DIR/tests/attest/node_modules" \
  expect_exit 0 "the chain recovers with @noble/curves to the SDK's chain's KMS root" \
  node "$TB_SOURCE_DIR/tests/tee/chain_check.js" out-dk/teebuild.bundle.json
check "the same KMS root as teebuild verify's" test "$(cat "$T/last.out")" = "$root"

# the dstack provider (not simulated): the chain needs a KMS root pinned by the policy
DSTACK_SIMULATOR_ENDPOINT="$T/dstack.sock" expect_exit 0 "--tee dstack run --key dstack" \
  "$TEEBUILD" --tee dstack run job.json --key dstack -o "$T/out-real"
"$TEEBUILD" --json verify out-real >"$T/v.json" 2>/dev/null
check "without a pinned root the chain is refused as unanchored" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "key-chain"][0]
assert not c["ok"] and "nothing vouches" in c["detail"], c' "$T/v.json"
echo "{\"kmsRoot\": [\"$root\"]}" >kms-policy.json
"$TEEBUILD" --json verify --policy kms-policy.json out-real >"$T/v.json" 2>/dev/null
check "with the root pinned in --policy it holds" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "key-chain"][0]
assert c["ok"], c' "$T/v.json"
echo '{"kmsRoot": ["02aa"]}' >other-kms.json
"$TEEBUILD" --json verify --policy other-kms.json out-real >"$T/v.json" 2>/dev/null
check "a policy pinning another root refuses it" grep -q 'which the policy.s kmsRoot does not list' "$T/v.json"
# The chain is not signed: a bundle stripped of it must not pass a policy that pins the KMS.
rm -rf out-stripped && cp -r out-real out-stripped && chmod -R u+w out-stripped
python3 -c 'import json, sys
b = json.load(open(sys.argv[1])); del b["tee"]["keySignatureChain"]; json.dump(b, open(sys.argv[1], "w"))' \
  out-stripped/teebuild.bundle.json
"$TEEBUILD" --json verify --policy kms-policy.json out-stripped >"$T/v.json" 2>/dev/null
check "a bundle without its key chain fails a policy pinning kmsRoot" python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); c = [c for c in r["checks"] if c["name"] == "key-chain"][0]
assert not r["ok"] and not c["ok"] and "no keySignatureChain" in c["detail"], r' "$T/v.json"

# an agent whose Info disagrees with what its quote attests: verify's dstack-app check says which field
python3 "$TB_SOURCE_DIR/tests/attest/agent_standin.py" http "$T/port" "$T/dstack.sock" lie-compose-hash &
front=$!
tb_wait_for -s "$T/port"
DSTACK_SIMULATOR_ENDPOINT="http://127.0.0.1:$(cat "$T/port")" expect_exit 0 "a run whose agent's Info lies" \
  "$TEEBUILD" --tee dstack run job.json -o "$T/out-lie"
kill "$front"
"$TEEBUILD" --json verify out-lie >"$T/v.json" 2>/dev/null
check "the dstack-app check names the compose hash the quote does not attest" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "dstack-app"][0]
assert not c["ok"] and "composeHash" in c["detail"] and "compose-hash" in c["detail"], c' "$T/v.json"

# legacy tappd: Info and DeriveK256Key (GetKey's older names), through a stand-in in front of tee-sim
python3 "$TB_SOURCE_DIR/tests/attest/agent_standin.py" tappd "$T/tappd.sock" "$T/tappd.log" "$T/dstack.sock" &
tappd=$!
tb_wait_for -S "$T/tappd.sock"
TAPPD_SIMULATOR_ENDPOINT="$T/tappd.sock" expect_exit 0 "--tee tappd run --key dstack" \
  "$TEEBUILD" --tee tappd run job.json --key dstack -o "$T/out-tappd"
check "tappd was asked for Info and DeriveK256Key at teebuild's path" python3 -c '
import json, sys
r = {e["path"]: e["body"] for e in map(json.loads, open(sys.argv[1]))}
assert "/prpc/Tappd.Info?json" in r, r
assert r["/prpc/Tappd.DeriveK256Key?json"] == {"path": "teebuild/dsse-signing-key", "purpose": "teebuild-dsse"}, r' \
  "$T/tappd.log"
check "tappd's Info is in builderDependencies" test "$(app out-tappd "['annotations']['appId']")" = "$(event out app-id)"
check "tappd's key is the app's derived key" test "$(keyid out-tappd)" = "$(keyid out-dk)"
"$TEEBUILD" --json verify --policy kms-policy.json out-tappd >"$T/v.json" 2>/dev/null
check "its chain holds with the root pinned" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "key-chain"][0]
assert c["ok"], c' "$T/v.json"
kill "$tappd"
kill "$sim" && wait "$sim"

# each link tampered: exit 6, named key-chain
tamper() { # NAME REGEX PYTHON on c (the chain)
  rm -rf "$T/t" && cp -a out-dk "$T/t"
  python3 -c 'import json, sys
p = sys.argv[1] + "/teebuild.bundle.json"; b = json.load(open(p)); c = b["tee"]["keySignatureChain"]
flip = lambda h: "%02x" % (int(h[:2], 16) ^ 1) + h[2:]
flip_s = lambda h: h[:126] + "%02x" % (int(h[126:128], 16) ^ 1) + h[128:]  # s: recovery still succeeds
exec(sys.argv[2]); json.dump(b, open(p, "w"))' "$T/t" "$3"
  expect_exit 6 "tamper: $1" "$TEEBUILD" verify --allow-simulated "$T/t"
  expect_err "^teebuild: verify: key-chain: $2" "tamper: $1 is named by key-chain"
}
tamper "key link signature" "keyLinkSignature" 'c["keyLinkSignature"] = flip_s(c["keyLinkSignature"])'
tamper "derived public key" "keyLinkSignature" 'h = c["derivedPublicKey"]; c["derivedPublicKey"] = h[:-2] + "%02x" % (int(h[-2:], 16) ^ 1)'
tamper "app key signature" "the chain ends at KMS root .* not at the local simulated KMS" \
  'c["signatureChain"][0] = flip_s(c["signatureChain"][0])'
tamper "KMS signature" "the chain ends at KMS root" 'c["signatureChain"][1] = flip_s(c["signatureChain"][1])'
tamper "purpose" "the chain ends at KMS root" 'c["purpose"] = "other"'
tamper "app id" "the chain is for app" 'c["appId"] = flip(c["appId"])'
tamper "chain removed entry" "tee.keySignatureChain" 'c["signatureChain"].pop()'

# ---- errors: one line, exit 5
expect_exit 5 "--key dstack without a dstack agent" "$TEEBUILD" --tee none run job.json --key dstack -o "$T/out-x"
expect_err '^teebuild: run: attest: --key dstack: the none provider has no agent to derive a key' "says which provider lacks it"
check "the error is one line" test "$(wc -l <"$T/last.err")" -eq 1
check "no OUT is left behind" test ! -e "$T/out-x"
python3 "$TB_SOURCE_DIR/tests/tee/agent_faults.py" "$T/faulty.sock" &
faulty=$!
tb_wait_for -S "$T/faulty.sock"
fault() { # MODE WHAT REGEX
  echo "$1" >"$T/faulty.sock.mode"
  DSTACK_SIMULATOR_ENDPOINT="$T/faulty.sock" expect_exit 5 "$2" "$TEEBUILD" --tee dstack run job.json --key dstack \
    -o "$T/out-fault"
  expect_err "^teebuild: run: attest: $3" "$2: one clear line"
  check "$2: one line only" test "$(wc -l <"$T/last.err")" -eq 1
}
fault info-500 "Info answers HTTP 500" 'tee dstack: agent at .*: /Info: HTTP 500: info broke'
fault info-bad-hex "Info's app_id is not hex" 'tee dstack: agent Info: "app_id" is not 20 bytes of hex'
fault getkey-short "GetKey's key is short" 'tee dstack: --key dstack: GetKey "key" is not 32 bytes of hex'
fault getkey-no-chain "GetKey has no chain (no KMS)" 'tee dstack: --key dstack: GetKey "signature_chain" has 0 signatures'
fault quote-odd "GetQuote's quote is not hex" 'tee dstack: agent reply "quote" is not hex'
fault quote-short "GetQuote's quote is too short" 'tee dstack: the quote is 2 bytes, too short for a TDX quote \(at least 632\)'
kill "$faulty"

# the socket itself: an agent that is not running, a socket this user may not use
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$T/stale.sock"
DSTACK_SIMULATOR_ENDPOINT="$T/stale.sock" expect_exit 5 "a socket nothing listens on" \
  "$TEEBUILD" --tee dstack quote --report-data 00
expect_err '^teebuild: quote: tee dstack: agent not running: nothing listens on .*/stale.sock$' "says the agent is not running"
"$TEEBUILD" tee-sim --socket "$T/private.sock" 2>/dev/null &
private=$!
tb_wait_for -S "$T/private.sock"
chmod 600 "$T/private.sock"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  install -d -o 65534 -g 65534 "$T/nobody-store"
  DSTACK_SIMULATOR_ENDPOINT="$T/private.sock" expect_exit 5 "a socket this user may not use" \
    setpriv --reuid=65534 --regid=65534 --clear-groups env TEEBUILD_STORE="$T/nobody-store" \
    "$TEEBUILD" --tee dstack quote --report-data 00
  expect_err '^teebuild: quote: tee dstack: agent at .*/private.sock: no permission to use its socket' \
    "says the socket's permissions are the problem"
else
  ok "# SKIP socket permissions: needs root (to drop to another user) and setpriv"
fi
kill "$private"
done_testing
