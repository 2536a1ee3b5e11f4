#!/bin/bash
# Fixture slither_pack: the Slither pack in the shared test store, made by
# toolchains/slither/make-pack.sh only when its inputs changed since the last time in this build
# directory (requirements.txt, make-pack.sh, the launcher, the host's python3.11).
set -euo pipefail
: "${TEEBUILD:?}" "${TB_SOURCE_DIR:?}" "${TB_BUILD_DIR:?}"
store=${TB_TEST_STORE:-$TB_BUILD_DIR/test-store}
launcher=$TB_BUILD_DIR/toolchains/launcher/teebuild-launcher
stamp=$TB_BUILD_DIR/slither-pack.stamp
inputs=$(cat "$TB_SOURCE_DIR/toolchains/slither/requirements.txt" "$TB_SOURCE_DIR/toolchains/slither/make-pack.sh" \
  "$launcher" /usr/bin/python3.11 | sha256sum | cut -d' ' -f1)
# The stamp holds the inputs' digest and the pack's: both must still be right.
if [ -f "$stamp" ] && read -r seen digest <"$stamp" && [ "$seen" = "$inputs" ] &&
  "$TEEBUILD" --store "$store" toolchain list | grep -q "sha256:$digest"; then
  echo "ok 1 - slither pack sha256:$digest already in $store"
  echo "1..1"
  exit 0
fi
line=$("$TB_SOURCE_DIR/toolchains/slither/make-pack.sh" --store "$store" --teebuild "$TEEBUILD" --launcher "$launcher" | tail -1)
digest=${line##*sha256:}
echo "$inputs $digest" >"$stamp"
echo "ok 1 - made $line"
# The lock entry records the digest this CI image gives; another image may differ (its note says why).
lock=$TB_SOURCE_DIR/toolchains/locks/slither-${line#slither@}
lock=${lock%% *}.json
grep -q "\"$digest\"" "$lock" || echo "# note: the pack's digest differs from $lock (another host image?)"
echo "1..1"
