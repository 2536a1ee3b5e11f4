#!/bin/bash
# What the audit reports equals what the same Slither reports when run directly, outside the jail,
# on the very same archive (same bytes: the digest the provenance records for the job's input).
. "$TB_SOURCE_DIR/tests/lib.sh"
. "$TB_SOURCE_DIR/tests/audit/common.sh"
cd "$T"

build_contracts build
expect_exit 1 "audit the build in the jail" tb audit --build build -o audit
mkdir direct home
expect_exit 0 "the same archive made outside teebuild" "$TB_MAKE_ARCHIVE" build direct
check "... has the digest the audit's provenance records for its input" python3 -c '
import hashlib, json
deps = {d["name"]: d for d in json.load(open("audit/provenance.json"))["predicate"]["buildDefinition"]["resolvedDependencies"]}
want = deps["src/build_export_archive.json"]["digest"]["sha256"]
assert hashlib.sha256(open("direct/build_export_archive.json", "rb").read()).hexdigest() == want'
root=$(slither_root)
expect_exit 0 "Slither run directly on it (no jail, empty environment)" \
  env -i HOME="$T/home" bash -c 'cd "$1" && exec "$2/bin/slither" build_export_archive.json --json slither.json --fail-none' \
  _ "$T/direct" "$root"
check "same findings: check, impact, confidence, and each element's file and lines" python3 -c '
import json, sys
# elements sorted: Slither fills some from sets, whose order follows the per-process hash seed.
def findings(path):
    return sorted(json.dumps([d["check"], d["impact"], d["confidence"],
                              sorted([e["source_mapping"]["filename_relative"], e["source_mapping"]["lines"]] for e in d["elements"])])
                  for d in json.load(open(path))["results"]["detectors"])
jail, direct = findings("audit/artifacts/slither.json"), findings("direct/slither.json")
if jail != direct:
    print("\n".join(sorted(set(jail) ^ set(direct))), file=sys.stderr)
sys.exit(0 if jail and jail == direct else 1)'
done_testing
