#!/bin/bash
# Regenerate the escape table of docs/security.md from a run of the battery:
#   sudo tests/escape/update-doc.sh [BUILD_DIR]     (default: build)
# Runs tests/test-escape.sh --table and replaces the text between the
# "escape-table" markers of the document.  Needs root, as the test does.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
doc=$src/docs/security.md
table=$(mktemp)
trap 'rm -f "$table" "$table.doc"' EXIT
SBX=$build/sbx SBX_SRCDIR=$src SBX_ESCAPE=$build/tests/escape/escape SBX_SUID_PROBE=$build/tests/escape/suid-probe \
  bash "$src/tests/test-escape.sh" --table "$table" | grep -E '^(not ok|1\.\.)' || true
[[ -s $table ]] || { echo "update-doc: the battery wrote no table" >&2; exit 1; }
awk -v table="$table" '
  /<!-- escape-table begin -->/ { print; print ""; while ((getline l < table) > 0) print l; print ""; skip = 1; next }
  /<!-- escape-table end -->/ { skip = 0 }
  !skip' "$doc" >"$table.doc"
grep -q 'escape-table end' "$table.doc" || { echo "update-doc: markers missing in $doc" >&2; exit 1; }
cat "$table.doc" >"$doc"
echo "updated $doc"
