#!/bin/bash
# tee-sim's EmitEvent (dstack's: {"event": name, "payload": hex}): Phala's JS SDK emits events and the
# next quote's event log replays to its RTMR3 (checked by the SDK and by `teebuild quote verify`);
# a changed emitted payload is caught; malformed requests are refused; a job's bundle made after the
# events still passes the dstack-app check, which reads the app's identity from before system-ready
# (an event an app emits afterwards, here a fake compose-hash, does not restate it).
. "$TB_SOURCE_DIR/tests/lib.sh"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$T"' EXIT

cd "$T"
"$TEEBUILD" tee-sim --socket "$T/dstack.sock" 2>"$T/sim.err" &
pids+=($!)
for _ in $(seq 50); do [ -S "$T/dstack.sock" ] && break; sleep 0.1; done

DSTACK_SIMULATOR_ENDPOINT="$T/dstack.sock" NODE_PATH="$TB_SOURCE_DIR/tests/attest/node_modules" \
  expect_exit 0 "@phala/dstack-sdk: emitEvent, then getQuote replays to RTMR3" \
  node "$TB_SOURCE_DIR/tests/tee/emit_event.js" "$T/after.json"
sed 's/^/# /' "$T/last.err" "$T/last.out"
expect_exit 0 "teebuild quote verify replays the event log to the quote's RTMR3" \
  "$TEEBUILD" --json quote verify "$T/after.json" --allow-simulated
python3 -c 'import json, sys
r = json.load(open(sys.argv[1])); l = json.loads(r["event_log"])
for e in l:
    if e["event"] == "teebuild-test":
        e["event_payload"] = "00" + e["event_payload"][2:]
r["event_log"] = json.dumps(l); json.dump(r, open(sys.argv[2], "w"))' "$T/after.json" "$T/forged.json"
expect_exit 6 "an emitted event's payload changed in the log" "$TEEBUILD" quote verify "$T/forged.json" --allow-simulated
expect_err '^teebuild: quote verify: event-log: ' "named by the event-log check"

emit() { curl -s -o "$T/emit.out" -w '%{http_code}' --unix-socket "$T/dstack.sock" -X POST -d "$1" http://dstack/EmitEvent; }
check "EmitEvent without an event name is refused (400)" test "$(emit '{"payload": "00"}')" = 400
check "EmitEvent with a payload that is not hex is refused (400)" test "$(emit '{"event": "x", "payload": "zz"}')" = 400
check "EmitEvent with an odd-length payload is refused (400)" test "$(emit '{"event": "x", "payload": "abc"}')" = 400
check "the refusal says why" grep -q '"payload\\" is not hex' "$T/emit.out"

# a job after the events: its bundle carries them, and the app it names is the boot's
tb_host_busybox
tb_copy_job
DSTACK_SIMULATOR_ENDPOINT="$T/dstack.sock" expect_exit 0 "--tee dstack run against the simulator after the events" \
  "$TEEBUILD" --tee dstack run job.json -o "$T/out"
check "the bundle's event log ends with the emitted events" python3 -c 'import json, sys
l = json.load(open(sys.argv[1]))["tee"]["eventLog"]
assert [e["event"] for e in l[-4:]] == ["system-ready", "teebuild-test", "teebuild-test-bytes", "compose-hash"], l' \
  "$T/out/teebuild.bundle.json"
"$TEEBUILD" --json verify out >"$T/v.json" 2>/dev/null
check "dstack-app: every Info field matches the boot's events, the log replayed to the quote" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "dstack-app"][0]
assert c["ok"] and c["detail"].startswith("4 of"), c' "$T/v.json"
boot_compose=$(python3 -c 'import json, sys
l = json.load(open(sys.argv[1]))["tee"]["eventLog"]; print([e for e in l if e["event"] == "compose-hash"][0]["event_payload"])' \
  "$T/out/teebuild.bundle.json")
echo "{\"composeHash\": [\"$boot_compose\"]}" >boot-compose.json
echo "{\"composeHash\": [\"$(printf 'ee%.0s' $(seq 32))\"]}" >fake-compose.json
expect_exit 0 "quote verify: a policy pinning the boot's compose hash holds after the events" \
  "$TEEBUILD" quote verify "$T/after.json" --allow-simulated --policy boot-compose.json
expect_exit 6 "quote verify: a policy pinning the compose hash the app emitted later does not" \
  "$TEEBUILD" quote verify "$T/after.json" --allow-simulated --policy fake-compose.json
expect_err "^teebuild: quote verify: .*$boot_compose" "the failure names the boot's compose hash"
done_testing
