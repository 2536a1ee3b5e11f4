#!/bin/bash
# tee-sim as a PCCS (`tee-sim --listen`): a simulated bundle verified with collateral fetched over
# HTTP through the same code as a hardware one, against the store's simulation root only; passes
# with --allow-simulated, fails without; a served root that is not ours, a tampered TCB info or CRL
# rejected naming the check; quote verify --pccs; loopback only, collateral only.
. "$TB_SOURCE_DIR/tests/lib.sh"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; tb_cleanup' EXIT

cd "$T"
tb_host_busybox
tb_copy_job

# pccs NAME ARGS...: start `tee-sim ARGS` and set $url to the PCCS URL it logs.
pccs() {
  local log="$T/$1.err"
  shift
  "$TEEBUILD" tee-sim "$@" 2>"$log" &
  pids+=($!)
  url=
  for _ in $(seq 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  sed 's/^/#   /' "$log"
  return 1
}
# quote_check FILE: the quote check's detail in a verify --json result.
quote_check() { python3 -c 'import json, sys
print([c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "quote"][0]["detail"])' "$1"; }

expect_exit 0 "run with --tee simulated" "$TEEBUILD" --tee simulated run job.json -o "$T/out"
check "tee-sim --listen 127.0.0.1:0 logs its PCCS URL" pccs sim --listen 127.0.0.1:0
sim_url=$url

# ---- verify --pccs: the sim's collateral over HTTP, the store's root
expect_exit 0 "verify --allow-simulated --pccs URL" "$TEEBUILD" --json verify --allow-simulated --pccs "$sim_url" out
check "the quote check fetched the collateral from the URL, to the local simulation root" \
  grep -q "quote verified to the local simulation root, collateral from $sim_url\$" <(quote_check "$T/last.out")
expect_exit 6 "verify --pccs URL without --allow-simulated" "$TEEBUILD" verify --pccs "$sim_url" out
expect_err '^teebuild: verify: tee: .*SIMULATED' "fails on the tee check, naming the simulation"
expect_exit 0 "verify --allow-simulated without --pccs: the local simulation's collateral" \
  "$TEEBUILD" --json verify --allow-simulated out
check "and says so" grep -q 'collateral from the local simulation$' <(quote_check "$T/last.out")
"$TEEBUILD" --json verify --allow-simulated --pccs "http://127.0.0.1:1" out >"$T/v.json" 2>/dev/null
check "an unreachable PCCS fails the quote check (no silent fallback to local collateral)" \
  grep -q '^collateral-fetch: GET http://127.0.0.1:1/' <(quote_check "$T/v.json")

# a simulator with another simulation root: its collateral is signed by a root this verifier does
# not hold, so serving collateral cannot bring a trust anchor along
check "a second tee-sim with its own --sim-root" pccs other --listen 127.0.0.1:0 --sim-root "$T/other-root"
expect_exit 6 "collateral from another simulation root" "$TEEBUILD" verify --allow-simulated --pccs "$url" out
expect_err '^teebuild: verify: quote: pck-crl: .*CRL signature failure' "refused by the quote check's CRL check"

# ---- collateral tampered in transit: each named by its DCAP check
tamper() { # MODE REGEX
  rm -f "$T/tamper.port"
  python3 "$TB_SOURCE_DIR/tests/tee/pccs_tamper.py" "$1" "$sim_url" "$T/tamper.port" &
  local proxy=$!
  tb_wait_for -s "$T/tamper.port"
  expect_exit 6 "tampered $1" "$TEEBUILD" verify --allow-simulated --pccs "http://127.0.0.1:$(cat "$T/tamper.port")" out
  expect_err "^teebuild: verify: quote: $2" "tampered $1 is named"
  kill "$proxy"
  wait "$proxy" 2>/dev/null
}
tamper tcb-info 'tcb-info-signature'
tamper pck-crl 'pck-crl: .*CRL signature failure'
tamper root-crl 'root-crl: .*CRL signature failure'

# ---- quote verify --pccs on a tee-sim quote
expect_exit 0 "a simulated quote" "$TEEBUILD" --tee simulated --json quote --report-data 00
mv "$T/last.out" quote.json
expect_exit 0 "quote verify --allow-simulated --pccs URL" \
  "$TEEBUILD" quote verify quote.json --allow-simulated --pccs "$sim_url"
check "says simulated" grep -q 'SIMULATED' "$T/last.out"
check "a simulation's collateral is not cached in the store" test -z "$(ls "$TEEBUILD_STORE/dcap-collateral" 2>/dev/null)"
expect_exit 6 "quote verify --pccs URL without --allow-simulated" "$TEEBUILD" quote verify quote.json --pccs "$sim_url"
expect_err '^teebuild: quote verify: pck-chain: ' "the chain does not reach Intel's root"

# ---- what the port serves
# get PATH [HEADER [BODY]]: GET PATH of the sim's PCCS (POST BODY if given); prints the HTTP status,
# then HEADER's value (as sent), then the first byte of the body in hex.
get() { python3 -c 'import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], data=sys.argv[3].encode() if len(sys.argv) > 3 else None)
except urllib.error.HTTPError as e:
    r = e
print(r.status, r.headers.get(sys.argv[2], "-"), r.read()[:1].hex())' "$sim_url$1" "${2:-none}" "${@:3}"; }
check "the PCK CRL is DER, its issuer chain URL-encoded in its header, as from a PCCS" \
  grep -q '^200 -----BEGIN%20CERTIFICATE.* 30$' <(get '/sgx/certification/v4/pckcrl?ca=platform&encoding=der' SGX-PCK-CRL-Issuer-Chain)
check "the QE identity's issuer chain too" \
  grep -q '^200 -----BEGIN%20CERTIFICATE' <(get /tdx/certification/v4/qe/identity SGX-Enclave-Identity-Issuer-Chain)
check "another FMSPC is not found (404)" grep -q '^404 ' <(get '/tdx/certification/v4/tcb?fmspc=00606A000000')
check "the processor CA's CRL is not found (404)" grep -q '^404 ' <(get '/sgx/certification/v4/pckcrl?ca=processor&encoding=der')
check "the agent protocol is not served on the port" grep -q '^404 ' <(get /GetQuote none '{"report_data": "00"}')

# ---- loopback only
for addr in 0.0.0.0:0 10.1.2.3:0 '[::]:0' localhost:0 127.0.0.1 127.0.0.1:65536; do
  expect_exit 2 "--listen $addr is refused" "$TEEBUILD" tee-sim --listen "$addr"
  expect_err "^teebuild: tee-sim: --listen " "--listen $addr: one line naming the option"
done
expect_exit 2 "tee-sim with neither --socket nor --listen" "$TEEBUILD" tee-sim
done_testing
