#!/bin/bash
# tee-sim's EmitEvent (dstack's: {"event": name, "payload": hex}): Phala's JS SDK emits events and the
# next quote's event log replays to its RTMR3 (checked by the SDK and by `teebuild quote verify`);
# a changed emitted payload is caught; malformed requests are refused; a job's bundle made after the
# events verifies (--allow-simulated: the quote's chain names the simulation PKI, so the local
# simulation root is used although the provider says dstack), and its dstack-app check and policy
# read the app's identity from before system-ready (an event an app emits afterwards, here a fake
# compose-hash, does not restate it).
. "$TB_SOURCE_DIR/tests/lib.sh"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; tb_cleanup' EXIT

cd "$T"
"$TEEBUILD" tee-sim --socket "$T/dstack.sock" --listen 127.0.0.1:0 2>"$T/sim.err" &
pids+=($!)
for _ in $(seq 300); do url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$T/sim.err") && [ -S "$T/dstack.sock" ] && break; sleep 0.1; done

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

# emit BODY: POST BODY to the agent's /EmitEvent; prints the HTTP status, the reply in $T/emit.out.
emit() { python3 -c 'import http.client, socket, sys
c = http.client.HTTPConnection("dstack")
c.sock = socket.socket(socket.AF_UNIX)
c.sock.connect(sys.argv[1])
c.request("POST", "/EmitEvent", sys.argv[2], {"Content-Type": "application/json"})
r = c.getresponse()
open(sys.argv[3], "wb").write(r.read())
print(r.status)' "$T/dstack.sock" "$1" "$T/emit.out"; }
check "EmitEvent without an event name is refused (400)" test "$(emit '{"payload": "00"}')" = 400
check "EmitEvent with a payload that is not hex is refused (400)" test "$(emit '{"event": "x", "payload": "zz"}')" = 400
check "EmitEvent with an odd-length payload is refused (400)" test "$(emit '{"event": "x", "payload": "abc"}')" = 400
check "EmitEvent with a payload that is not a string is refused (400)" test "$(emit '{"event": "x", "payload": 5}')" = 400
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
expect_exit 6 "verify without --allow-simulated: the dstack provider's quote against Intel's root" \
  "$TEEBUILD" verify --pccs "$url" out
expect_err "^teebuild: verify: quote: pck-chain: .*SIMULATION PKI: --allow-simulated verifies it" \
  "the failure says the chain is the simulation's and what to pass"
expect_exit 0 "verify --allow-simulated --pccs: to the local simulation root" \
  "$TEEBUILD" --json verify --allow-simulated --pccs "$url" out
check "the tee check says simulated; dstack-app matched every field to the boot's events" python3 -c '
import json, sys
c = {c["name"]: c for c in json.load(open(sys.argv[1]))["checks"]}
assert c["tee"]["ok"] and "simulated" in c["tee"]["detail"], c["tee"]
assert "local simulation root" in c["quote"]["detail"], c["quote"]
assert c["dstack-app"]["ok"] and c["dstack-app"]["detail"].startswith("4 of"), c["dstack-app"]' "$T/last.out"
boot_compose=$(python3 -c 'import json, sys
l = json.load(open(sys.argv[1]))["tee"]["eventLog"]; print([e for e in l if e["event"] == "compose-hash"][0]["event_payload"])' \
  "$T/out/teebuild.bundle.json")
echo "{\"composeHash\": [\"$boot_compose\"]}" >boot-compose.json
echo "{\"composeHash\": [\"$(printf 'ee%.0s' $(seq 32))\"]}" >fake-compose.json
expect_exit 0 "verify: a policy pinning the boot's compose hash holds after the events" \
  "$TEEBUILD" verify --allow-simulated --pccs "$url" --policy boot-compose.json out
expect_exit 6 "verify: a policy pinning the compose hash the app emitted later does not" \
  "$TEEBUILD" verify --allow-simulated --pccs "$url" --policy fake-compose.json out
expect_err "^teebuild: verify: measurements: .*$boot_compose" "named by the measurements check, with the boot's value"
expect_exit 0 "quote verify: a policy pinning the boot's compose hash holds after the events" \
  "$TEEBUILD" quote verify "$T/after.json" --allow-simulated --policy boot-compose.json
expect_exit 6 "quote verify: a policy pinning the compose hash the app emitted later does not" \
  "$TEEBUILD" quote verify "$T/after.json" --allow-simulated --policy fake-compose.json
expect_err "^teebuild: quote verify: .*$boot_compose" "the failure names the boot's compose hash"
done_testing
