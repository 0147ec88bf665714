#!/bin/bash
# The shell completions (completions/{bash,zsh,fish}) are plain files that
# list the socket, device and system call group names as words.  The names' one source is the
# table in src/policy/query.h; this fails when a completion file offers
# other words than the table has (a name added, renamed or removed on one
# side only).  TAP.
# Usage: check-completion-words.sh TABLE_WORDS_PROGRAM SRCDIR
set -u
words=$1 src=$2
n=0 fail=0
check() { # NAME TABLE-WORDS FILE-WORDS
    n=$((n + 1))
    local want got
    want=$(tr ' ' '\n' <<<"$2" | sed '/^$/d' | sort)
    got=$(tr ' ' '\n' <<<"$3" | sed '/^$/d' | sort)
    if [[ $want == "$got" && -n $want ]]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1: the table has [$(echo $want)], the file offers [$(echo $got)]"
        fail=1
    fi
}
table=$("$words") || { echo "1..0 # SKIP $words did not run"; exit 1; }
echo "1..9"
for kind in socket device syscall; do
    t=$(sed -n "s/^$kind //p" <<<"$table")
    # bash: the case arm "socket)" / "device)" offers compgen -W "WORDS"
    check "bash: $kind" "$t" "$(sed -n "/^ *$kind)\$/{n;s/.*compgen -W \"\\([^\"]*\\)\".*/\\1/p}" "$src/completions/bash/sbx")"
    # zsh: local sockets=':socket:(WORDS)' / local devices=':device group:(WORDS)'
    check "zsh: $kind" "$t" "$(sed -n "s/^ *local ${kind}s=':[^:]*:(\\([^)]*\\))'.*/\\1/p" "$src/completions/zsh/_sbx")"
    # fish: complete ... -n '__sbx_is "arg socket"' -a 'WORDS'
    check "fish: $kind" "$t" "$(sed -n "s/.*__sbx_is \"arg $kind\"' -a '\\([^']*\\)'.*/\\1/p" "$src/completions/fish/sbx.fish")"
done
exit $fail
