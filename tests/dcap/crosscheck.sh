#!/bin/bash
# The same inputs to teebuild quote verify and to Phala's @phala/dcap-qvl (npm, pinned in js/):
# the same verdict (ok, and the status when ok), except where teebuild is deliberately stricter or
# TDX-only, which each such case states.
. "$TB_SOURCE_DIR/tests/lib.sh"
D="$TB_TESTDATA/tdx"
JS="$TB_SOURCE_DIR/tests/dcap/js"
if [ ! -d "$JS/node_modules/@phala/dcap-qvl" ]; then
  fail "@phala/dcap-qvl is not installed: run scripts/deps.sh (npm ci in tests/dcap/js)"
  done_testing
fi

ours() { # QUOTE COLLATERAL NOW [extra args] -> {"ok", "status"} of teebuild
  "$TEEBUILD" --json quote verify "$1" --collateral "$2" --time "$3" "${@:4}" 2>/dev/null |
    python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["ok"], o.get("status") if o["ok"] else "-")'
}
theirs() { # QUOTE COLLATERAL NOW [ROOT_DER]
  node "$JS/verify.js" "$@" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["ok"], o.get("status") if o["ok"] else "-")'
}
same() { # WHAT QUOTE COLLATERAL NOW
  local a b; a=$(ours "$2" "$3" "$4"); b=$(theirs "$2" "$3" "$4")
  # Non-empty: two verifiers that both crashed print nothing, which is no agreement.
  if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$1: both '$a'"; else fail "$1: teebuild '$a', dcap-qvl '$b'"; fi
}
differs() { # WHAT WANT_OURS WANT_THEIRS QUOTE COLLATERAL NOW
  local a b; a=$(ours "$4" "$5" "$6"); b=$(theirs "$4" "$5" "$6")
  if [ "$a" = "$2" ] && [ "$b" = "$3" ]; then ok "$1: teebuild '$a', dcap-qvl '$b' (deliberate)"; else
    fail "$1: teebuild '$a' (want '$2'), dcap-qvl '$b' (want '$3')"; fi
}

V4="$D/dcapqvl_tdx_quote.bin" V4C="$D/dcapqvl_tdx_quote_collateral.json"
same "v4 sample at its time" "$V4" "$V4C" 1752919234
same "NEAR v4 hex sample at its time" "$D/dcapqvl_near_tdx_quote.hex" "$D/dcapqvl_near_tdx_quote_collateral.json" 1759388630
same "v5 outdated sample (No matching TCB level)" "$D/dcapqvl_tdx_quote_outdated_v5.bin" "$D/dcapqvl_tdx_quote_outdated_v5_collateral.json" 1774003274
same "v4 one second before QE identity issueDate" "$V4" "$V4C" 1750329146
same "v4 past tcb_info nextUpdate" "$V4" "$V4C" 1752920164
same "v4 with the v5 sample's collateral" "$V4" "$D/dcapqvl_tdx_quote_outdated_v5_collateral.json" 1752919234

# Stricter on purpose: the PCK CRL's nextUpdate is 1752919235. dcap-qvl's JS port does not enforce
# CRL nextUpdate (it accepts until tcb_info's nextUpdate, 1752920163); teebuild refuses an expired
# CRL, and (OpenSSL) already at the nextUpdate instant.
differs "v4 one second past PCK CRL nextUpdate: teebuild stricter" "False -" "True UpToDate" "$V4" "$V4C" 1752919236
differs "v4 at PCK CRL nextUpdate itself: teebuild stricter by the boundary second" "False -" "True UpToDate" "$V4" "$V4C" 1752919235
# TDX only on purpose: dcap-qvl also verifies SGX quotes.
differs "SGX quote: teebuild is TDX-only" "False -" "True ConfigurationAndSWHardeningNeeded" \
  "$D/dcapqvl_sgx_quote.bin" "$D/dcapqvl_sgx_quote_collateral.json" 1752919277

# Tampered inputs.
cp "$V4" "$T/flip.bin"; chmod u+w "$T/flip.bin"
printf '\x00' | dd of="$T/flip.bin" bs=1 seek=568 conv=notrunc status=none
same "v4 with report_data byte 568 zeroed" "$T/flip.bin" "$V4C" 1752919234
cp "$V4" "$T/qe.bin"; chmod u+w "$T/qe.bin"
printf '\x00' | dd of="$T/qe.bin" bs=1 seek=900 conv=notrunc status=none
same "v4 with a QE report byte zeroed" "$T/qe.bin" "$V4C" 1752919234
python3 - "$V4C" "$T" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
t = dict(c); t["tcb_info"] = c["tcb_info"].replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18', 1)
assert t["tcb_info"] != c["tcb_info"]
json.dump(t, open(sys.argv[2] + "/tcb_changed.json", "w"))
s = dict(c); sig = c["qe_identity_signature"]; s["qe_identity_signature"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
json.dump(s, open(sys.argv[2] + "/qe_sig.json", "w"))
PY
same "tcb_info text changed by one byte" "$V4" "$T/tcb_changed.json" 1752919234
same "qe_identity signature changed" "$V4" "$T/qe_sig.json" 1752919234

# teebuild's simulation, given to dcap-qvl with the sim root: both accept it, and both refuse it
# against Intel's root.
now=$(date +%s)
if "$TB_BUILD_DIR/tests/dcap/dcap_sim_dump" "$T/sim" "$T" "$now"; then
  a=$(ours "$T/sim_quote.bin" "$T/sim_collateral.json" "$now" --allow-simulated --sim-root "$T/sim")
  b=$(theirs "$T/sim_quote.bin" "$T/sim_collateral.json" "$now" "$T/sim_root.der")
  if [ "$a" = "$b" ] && [ "$a" = "True UpToDate" ]; then ok "simulated quote with the sim root: both '$a'"; else
    fail "simulated quote with the sim root: teebuild '$a', dcap-qvl '$b'"; fi
  same "simulated quote against the Intel root" "$T/sim_quote.bin" "$T/sim_collateral.json" "$now"
else
  fail "dcap_sim_dump could not make a simulated quote"
fi
done_testing
