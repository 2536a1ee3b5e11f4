#!/bin/bash
# teebuild quote verify: every sample gives its README outcome at its README time, with the exact
# JSON shape of design.md, the right exit codes and a first stderr line naming the failed check.
. "$TB_SOURCE_DIR/tests/lib.sh"
D="$TB_TESTDATA/tdx"
qv() { "$TEEBUILD" quote verify "$@"; }

expect_exit 0 "v4 sample UpToDate at 1752919234" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234
check "human output names the status" grep -q '^quote verify: ok: UpToDate' "$T/last.out"

expect_exit 0 "NEAR hex sample UpToDate at 1759388630 (--json)" \
  "$TEEBUILD" --json quote verify "$D/dcapqvl_near_tdx_quote.hex" --collateral "$D/dcapqvl_near_tdx_quote_collateral.json" --time 1759388630
check "--json has design.md's keys, lowercase hex" python3 - "$T/last.out" <<'PY'
import json, re, sys
o = json.load(open(sys.argv[1]))
want = {"ok", "status", "advisoryIds", "version", "teeType", "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "reportData",
        "simulated"}
assert set(o) == want, set(o) ^ want
assert o["ok"] is True and o["status"] == "UpToDate" and o["advisoryIds"] == [] and o["version"] == 4 and o["teeType"] == "TDX"
assert o["simulated"] is False
for k in ("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3"):
    assert re.fullmatch("[0-9a-f]{96}", o[k]), k
assert o["mrtd"].startswith("f06dfda6dce1cf90") and re.fullmatch("[0-9a-f]{128}", o["reportData"])
PY

expect_exit 6 "v5 outdated sample: No matching TCB level at 1774003274" \
  "$TEEBUILD" --json quote verify "$D/dcapqvl_tdx_quote_outdated_v5.bin" --collateral "$D/dcapqvl_tdx_quote_outdated_v5_collateral.json" --time 1774003274
expect_err '^teebuild: quote verify: tcb-level: No matching TCB level found' "v5 failure names tcb-level"
check "v5 --json: ok false, version 5, error set" python3 -c '
import json, sys; o = json.load(open(sys.argv[1]))
assert o["ok"] is False and o["version"] == 5 and o["error"].startswith("tcb-level: No matching TCB level found")
assert o["status"] is None and o["advisoryIds"] == []  # the same keys as a success' "$T/last.out"

expect_exit 6 "SGX quote refused" \
  qv "$D/dcapqvl_sgx_quote.bin" --collateral "$D/dcapqvl_sgx_quote_collateral.json" --time 1752919277
expect_err '^teebuild: quote verify: quote-format: SGX quote' "SGX refusal names quote-format"

expect_exit 6 "v4 at wall-clock time: collateral expired" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json"
expect_err '^teebuild: quote verify: pck-crl: ' "expiry names pck-crl"

expect_exit 6 "v4 one second past PCK CRL nextUpdate" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919236
expect_err '^teebuild: quote verify: pck-crl: ' "past nextUpdate names pck-crl"

expect_exit 6 "v4 one second before QE identity issueDate" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1750329146
expect_err '^teebuild: quote verify: qe-identity-window: ' "before issueDate names qe-identity-window"

# Input encodings: 0x-hex with a newline, hex with a trailing newline, binary with trailing bytes.
{ printf '0x'; xxd -p "$D/dcapqvl_tdx_quote.bin" | tr -d '\n'; echo; } >"$T/q0x.hex"
expect_exit 0 "0x-prefixed hex with a trailing newline" \
  qv "$T/q0x.hex" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234

xxd -p "$D/dcapqvl_tdx_quote.bin" >"$T/wrapped.hex" # 60 digits a line
expect_exit 0 "line-wrapped hex (xxd -p)" \
  qv "$T/wrapped.hex" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234

# One flipped report_data byte (offset 568).
cp "$D/dcapqvl_tdx_quote.bin" "$T/flip.bin"; chmod u+w "$T/flip.bin"
printf '\x00' | dd of="$T/flip.bin" bs=1 seek=568 conv=notrunc status=none
expect_exit 6 "flipped report_data byte" \
  qv "$T/flip.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234
expect_err '^teebuild: quote verify: quote-signature: ' "flip names quote-signature"

# Policy: a status list without UpToDate fails; a matching mrtd passes; a wrong one fails.
echo '{"tcbStatus": ["OutOfDate"]}' >"$T/p1.json"
expect_exit 6 "policy without UpToDate" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234 --policy "$T/p1.json"
expect_err '^teebuild: quote verify: tcb-status: UpToDate is not allowed' "policy failure names tcb-status"
echo '{"mrtd": ["91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7"]}' >"$T/p2.json"
expect_exit 0 "policy pinning the right MRTD" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234 --policy "$T/p2.json"
echo '{"rtmr3": ["'"$(printf '11%.0s' $(seq 48))"'"]}' >"$T/p3.json"
expect_exit 6 "policy pinning a wrong RTMR3" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234 --policy "$T/p3.json"
expect_err '^teebuild: quote verify: measurements: rtmr3 ' "wrong RTMR3 names measurements"
echo '{"mrtd": [], "typo": []}' >"$T/p4.json"
expect_exit 3 "policy with an unknown key" \
  qv "$D/dcapqvl_tdx_quote.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234 --policy "$T/p4.json"

# Simulated: a quote from the simulation verifies only with --allow-simulated, against its root.
expect_exit 0 "a simulated quote from teebuild quote --tee simulated" \
  "$TEEBUILD" --tee simulated quote --report-data 00112233
head -1 "$T/last.out" >"$T/sim.hex"
if [ -s "$T/sim.hex" ]; then
  expect_exit 0 "simulated quote verifies with --allow-simulated" qv "$T/sim.hex" --allow-simulated
  check "human output says SIMULATED" grep -q 'SIMULATED' "$T/last.out"
  "$TEEBUILD" --json quote verify "$T/sim.hex" --allow-simulated --time "$(date +%s)" >"$T/sim.json" 2>/dev/null
  check "simulated --json ok with UpToDate, and says simulated" python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["ok"] and o["status"]=="UpToDate" and o["simulated"] is True' "$T/sim.json"
  expect_exit 6 "simulated quote against the Intel root (no --allow-simulated)" \
    qv "$T/sim.hex" --collateral "$D/dcapqvl_tdx_quote_collateral.json" --time 1752919234
  expect_err '^teebuild: quote verify: pck-chain: ' "simulated quote without --allow-simulated names pck-chain"
fi

# A whole response (quote + event log): the log must replay to the quote's RTMRs.
expect_exit 0 "teebuild --json quote (simulated) response" "$TEEBUILD" --json --tee simulated quote --report-data 00
cp "$T/last.out" "$T/resp.json"
expect_exit 0 "response with its event log verifies" qv "$T/resp.json" --allow-simulated
python3 - "$T/resp.json" "$T/forged.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["eventLog"], "the simulator logs at least one event"
r["eventLog"].append({"imr": 3, "event_type": 0x08000001, "digest": "", "event": "forged", "event_payload": "00"})
json.dump(r, open(sys.argv[2], "w"))
PY
expect_exit 6 "response with an event the quote never measured" qv "$T/forged.json" --allow-simulated
expect_err '^teebuild: quote verify: event-log: RTMR3 replays to ' "forged event names event-log"

expect_exit 3 "unreadable QUOTE file" "$TEEBUILD" --json quote verify "$T/nope.bin" --collateral "$D/dcapqvl_tdx_quote_collateral.json"
check "--json answers an unreadable input too" python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["ok"] is False and "nope.bin" in o["error"]' "$T/last.out"
expect_exit 2 "usage: no QUOTE" qv
expect_exit 2 "usage: no collateral for a real quote" qv "$D/dcapqvl_tdx_quote.bin"
done_testing
