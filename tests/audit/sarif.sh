#!/bin/bash
# slither.sarif validates against the SARIF 2.1.0 JSON schema (pinned by tests/audit/sarif's
# package-lock.json) with Debian's python3-jsonschema.
. "$TB_SOURCE_DIR/tests/lib.sh"
. "$TB_SOURCE_DIR/tests/audit/common.sh"
cd "$T"
SCHEMA=$TB_SOURCE_DIR/tests/audit/sarif/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json

check "the SARIF schema is installed (scripts/deps.sh runs npm ci in tests/audit/sarif)" test -s "$SCHEMA"
build_contracts build
expect_exit 1 "audit the build" tb audit --build build -o audit
validate() {
  /usr/bin/python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:])
jsonschema.validators.validator_for(schema)(schema).validate(doc)
assert doc["version"] == "2.1.0" and doc["runs"][0]["results"], "no results"
PY
}
check "slither.sarif is valid SARIF 2.1.0, with results" validate audit/artifacts/slither.sarif
python3 -c '
import json
d = json.load(open("audit/artifacts/slither.sarif")); d["runs"][0]["results"][0]["level"] = "fatal"
json.dump(d, open("broken.sarif", "w"))'
rejects() { ! validate "$1" 2>/dev/null; }
check "... and the same check rejects a log with an invalid result level" rejects broken.sarif
done_testing
