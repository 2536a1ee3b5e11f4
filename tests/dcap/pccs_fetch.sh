#!/bin/bash
# teebuild quote verify --pccs URL: collateral fetched from a (mock) PCCS verifies the v4 sample as
# UpToDate, the fetched collateral is cached in the store and reused, a wrong FMSPC fails.
. "$TB_SOURCE_DIR/tests/lib.sh"
D="$TB_TESTDATA/tdx"
python3 "$TB_SOURCE_DIR/tests/dcap/pccs_mock.py" "$D/dcapqvl_tdx_quote_collateral.json" B0C06F000000 "$T/port" "$T/log" &
mock=$!
trap 'kill $mock 2>/dev/null; tb_cleanup' EXIT
tb_wait_for -s "$T/port"
url="http://127.0.0.1:$(cat "$T/port")"

expect_exit 0 "v4 sample with collateral from the PCCS" \
  "$TEEBUILD" quote verify "$D/dcapqvl_tdx_quote.bin" --pccs "$url/" --time 1752919234
check "four PCCS requests (PCK CRL, TCB info, QE identity, root CA CRL)" test "$(wc -l <"$T/log")" -eq 4
check "the PCK CRL was asked of the platform CA" grep -q 'pckcrl?ca=platform&encoding=der' "$T/log"
check "collateral cached in the store" test -n "$(ls "$TEEBUILD_STORE"/dcap-collateral/*.json 2>/dev/null)"
expect_exit 0 "second verification uses the cache" \
  "$TEEBUILD" quote verify "$D/dcapqvl_tdx_quote.bin" --pccs "$url" --time 1752919234
check "no new PCCS request" test "$(wc -l <"$T/log")" -eq 4
expect_exit 6 "past the cached TCB info's nextUpdate: fetched again, and still expired" \
  "$TEEBUILD" quote verify "$D/dcapqvl_tdx_quote.bin" --pccs "$url" --time 1752920200
check "a refetch happened" test "$(wc -l <"$T/log")" -eq 8

expect_exit 6 "NEAR quote: the PCCS has no TCB info for its FMSPC" \
  "$TEEBUILD" quote verify "$D/dcapqvl_near_tdx_quote.hex" --pccs "$url" --time 1759388630
expect_err '^teebuild: quote verify: collateral-fetch: GET .*/tcb\?fmspc=20A06F000000' "missing TCB info names collateral-fetch"
# A PCCS answering with a TCB info whose signature does not verify: refused, and never cached
# (a tampered answer must not stand in for a good one until its dates expire).
python3 -c 'import json, sys
c = json.load(open(sys.argv[1])); s = c["tcb_info_signature"]
c["tcb_info_signature"] = "%02x" % (int(s[:2], 16) ^ 1) + s[2:]
json.dump(c, open(sys.argv[2], "w"))' "$D/dcapqvl_tdx_quote_collateral.json" "$T/bad-collateral.json"
python3 "$TB_SOURCE_DIR/tests/dcap/pccs_mock.py" "$T/bad-collateral.json" B0C06F000000 "$T/bad-port" "$T/bad-log" &
bad=$!
trap 'kill $mock $bad 2>/dev/null; tb_cleanup' EXIT
tb_wait_for -s "$T/bad-port"
expect_exit 6 "a tampered TCB info from the PCCS" env TEEBUILD_STORE="$T/store2" \
  "$TEEBUILD" quote verify "$D/dcapqvl_tdx_quote.bin" --pccs "http://127.0.0.1:$(cat "$T/bad-port")" --time 1752919234
expect_err '^teebuild: quote verify: tcb-info-signature' "named by tcb-info-signature"
check "collateral that did not verify is not cached" test -z "$(ls "$T/store2"/dcap-collateral/ 2>/dev/null)"

expect_exit 2 "--collateral and --pccs together" \
  "$TEEBUILD" quote verify "$D/dcapqvl_tdx_quote.bin" --pccs "$url" --collateral "$D/dcapqvl_tdx_quote_collateral.json"
done_testing
