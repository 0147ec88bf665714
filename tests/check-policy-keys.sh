#!/bin/bash
# Only src/policy/ knows how settings are keyed ("path:/x", "socket:x11",
# "dbus-session:see:NAME"...): everything else asks the typed queries of
# src/policy/query.h.  Fails on a string-key read of the policy outside
# src/policy/.  TAP.  Usage: check-policy-keys.sh SRCDIR
set -u
cd "$1/src" || exit 1
echo "1..1"
hits=$(grep -rnE 'policy_(value|next|get)\(|"(path|socket|device|env|cap):[^ ]|"dbus-(session|system):' \
    --include='*.c' --include='*.h' . | grep -v '^\./policy/')
if [[ -z $hits ]]; then
    echo "ok 1 - no policy key strings outside src/policy/"
else
    echo "not ok 1 - policy key strings outside src/policy/ (use policy/query.h):"
    sed 's/^/# /' <<<"$hits"
    exit 1
fi
