#!/bin/bash
# Load each shell completion and try a few completions.
# Usage: completions/check.sh   (exit status 0 when every available shell passes;
# a shell that is not installed is reported as SKIP, not as a failure)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# Profile names come from the profile search path: the source tree's
# profiles, and nothing of the user's.
export SBX_PROFILE_PATH=$here/../profiles XDG_CONFIG_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
# Running sandboxes' names come from "sbx --list": an sbx on PATH that
# lists two (web, mail).
mkdir "$XDG_CONFIG_HOME/bin"
printf '#!/bin/sh\n[ "$1" = --list ] && printf "NAME ID PID\\nweb 11 12\\nmail 13 14\\n"\n' >"$XDG_CONFIG_HOME/bin/sbx"
chmod +x "$XDG_CONFIG_HOME/bin/sbx"
export PATH=$XDG_CONFIG_HOME/bin:$PATH
fail=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fail=1; }
skip() { echo "SKIP $*"; }

# expect NAME "candidates" WORD...: every WORD must be among the candidates
expect() {
    local name=$1 got=$2 w; shift 2
    for w in "$@"; do
        if ! grep -qxF -- "$w" <<<"$got"; then
            bad "$name: '$w' missing; got: $(tr '\n' ' ' <<<"$got")"
            return
        fi
    done
    ok "$name"
}
# refuse NAME "candidates": there must be none
refuse() {
    if [[ -n ${2//[[:space:]]/} ]]; then bad "$1: expected nothing, got: $(tr '\n' ' ' <<<"$2")"; else ok "$1"; fi
}

# ---- bash ----------------------------------------------------------------
bash_complete() { # words of the line; the last one is being completed
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _sbx sbx "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$here/bash/sbx" "$@"
}
if out=$(bash -c 'source "$1" && complete -p sbx' _ "$here/bash/sbx" 2>&1) \
        && [[ $out == *"-F _sbx sbx"* ]]; then
    ok "bash: loads ($out)"
    expect "bash: sbx --ro-b" "$(bash_complete sbx --ro-b)" --ro-bind --ro-bind-try
    expect "bash: --cap-add" "$(bash_complete sbx --cap-add CAP_SYS_AD)" CAP_SYS_ADMIN
    expect "bash: --bind SRC" "$(bash_complete sbx --bind /us)" /usr
    expect "bash: --bind SRC DEST" "$(bash_complete sbx --bind /usr /us)" /usr
    refuse "bash: --info-fd offers no files" "$(bash_complete sbx --bind /usr /usr --info-fd '')"
    refuse "bash: --file FD offers no files" "$(bash_complete sbx --file '')"
    expect "bash: command after options" "$(bash_complete sbx --dev /dev tru)" true
    expect "bash: command after --" "$(bash_complete sbx --dev /dev -- tru)" true
    expect "bash: --profile NAME" "$(bash_complete sbx --profile fire)" firefox firefox-esr
    refuse "bash: --profile NAME offers no .inc" "$(bash_complete sbx --profile desk)"
    expect "bash: --profile PATH" "$(bash_complete sbx --profile "$here/../profiles/fire")" \
        "$here/../profiles/firefox.profile"
    expect "bash: --check NAME" "$(bash_complete sbx --check chrom)" chromium
    expect "bash: --explain NAME" "$(bash_complete sbx --explain --json ev)" evince
    expect "bash: --explain NAME COMMAND" "$(bash_complete sbx --explain evince tru)" true
    expect "bash: --socket" "$(bash_complete sbx --socket '')" x11 wayland pulseaudio pipewire ssh-agent cups
    expect "bash: --no-device" "$(bash_complete sbx --no-device '')" dri sound video input u2f all
    expect "bash: --network" "$(bash_complete sbx --network '')" none host private
    expect "bash: --dbus-system" "$(bash_complete sbx --dbus-system '')" none filter full
    expect "bash: --persist PATH" "$(bash_complete sbx --persist /us)" /usr
    refuse "bash: --dbus-talk offers no files" "$(bash_complete sbx --dbus-talk '')"
    for o in --stop --freeze --thaw --join --stats --share --unshare; do
        expect "bash: $o NAME" "$(bash_complete sbx $o '')" web mail
    done
    expect "bash: --stats --json --watch 5 NAME" "$(bash_complete sbx --stats --json --watch 5 '')" web mail
    refuse "bash: nothing after --stats NAME" "$(bash_complete sbx --stats web '')"
    expect "bash: --watch" "$(bash_complete sbx --stats --w)" --watch
    expect "bash: new options" "$(bash_complete sbx --)" --profile --noprofile --check --explain \
        --json --ro --rw --persist --hide --private --socket --device --network --dbus-session \
        --dbus-own --app-id --desktop-install --desktop-remove --desktop-list
else
    bad "bash: does not load: $out"
fi

# ---- zsh -----------------------------------------------------------------
zsh_complete() { # one string: the line to complete
    local out; out=$(mktemp)
    zsh -f -c '
        zmodload zsh/zpty
        zpty z zsh -f -i
        zpty -w z "PROMPT=; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
        zpty -w z "compadd() { builtin compadd -O __m \"\$@\"; print -rl -- \"M:\"\${^__m} >&2; builtin compadd \"\$@\" }"
        zpty -w z "exec 2>$2"
        zpty -w z "$3"$'"'"'\t'"'"'
        # The shell reads its input in order: once the line after the
        # completion has run, the completion is done (no fixed sleep).
        zpty -w z $'"'"'\C-u'"'"'"print -u2 M-DONE"
        for i in {1..300}; do grep -q "^M-DONE" $2 && break; sleep 0.1; done
        zpty -d z' _ "$here/zsh" "$out" "$1"
    sed -n "s/^M://p" "$out" | sort -u; rm -f "$out"
}
if ! command -v zsh >/dev/null; then
    skip "zsh: not installed"
elif out=$(zsh -fc 'autoload -U compinit; compinit -u; source "$1"; print -r -- ${_comps[sbx]}' _ "$here/zsh/_sbx" 2>&1) \
        && [[ $out == _sbx ]]; then
    ok "zsh: loads"
    expect "zsh: sbx --ro-b" "$(zsh_complete 'sbx --ro-b')" --ro-bind --ro-bind-try
    expect "zsh: --cap-drop" "$(zsh_complete 'sbx --cap-drop CAP_NET_')" CAP_NET_RAW CAP_NET_ADMIN
    refuse "zsh: --info-fd offers no files" "$(zsh_complete 'sbx --info-fd ')"
    expect "zsh: --profile NAME" "$(zsh_complete 'sbx --profile fire')" firefox firefox-esr
    expect "zsh: --check NAME" "$(zsh_complete 'sbx --check chrom')" chromium
    expect "zsh: --explain NAME" "$(zsh_complete 'sbx --explain ev')" evince
    expect "zsh: --socket" "$(zsh_complete 'sbx --socket p')" pulseaudio pipewire
    expect "zsh: --device" "$(zsh_complete 'sbx --device ')" dri sound video input u2f all
    expect "zsh: --network" "$(zsh_complete 'sbx --network ')" none host private
    expect "zsh: --dbus-session" "$(zsh_complete 'sbx --dbus-session f')" filter full
    for o in --stop --freeze --thaw --join --stats --share --unshare; do
        expect "zsh: $o NAME" "$(zsh_complete "sbx $o ")" web mail
    done
    expect "zsh: --stats --watch 5 NAME" "$(zsh_complete 'sbx --stats --watch 5 ')" web mail
    expect "zsh: --watch" "$(zsh_complete 'sbx --stats --w')" --watch
else
    bad "zsh: does not load: $out"
fi

# ---- fish ----------------------------------------------------------------
fish_complete() { fish -c 'source $argv[1]; complete -C $argv[2]' "$here/fish/sbx.fish" "$1" | cut -f1; }
if ! command -v fish >/dev/null; then
    skip "fish: not installed"
elif out=$(fish -c 'source $argv[1]' "$here/fish/sbx.fish" 2>&1) && [[ -z $out ]]; then
    ok "fish: loads"
    expect "fish: sbx --ro-b" "$(fish_complete 'sbx --ro-b')" --ro-bind --ro-bind-try
    expect "fish: --cap-add" "$(fish_complete 'sbx --cap-add CAP_SYS_')" CAP_SYS_ADMIN
    expect "fish: --ro-bind DEST" "$(fish_complete 'sbx --ro-bind /usr /us')" /usr/
    refuse "fish: --seccomp offers no files" "$(fish_complete 'sbx --seccomp ')"
    expect "fish: command" "$(fish_complete 'sbx --proc /proc tru')" true
    expect "fish: --profile NAME" "$(fish_complete 'sbx --profile fire')" firefox firefox-esr
    expect "fish: --check NAME" "$(fish_complete 'sbx --check chrom')" chromium
    expect "fish: --explain NAME" "$(fish_complete 'sbx --explain ev')" evince
    expect "fish: --explain NAME COMMAND" "$(fish_complete 'sbx --explain evince tru')" true
    expect "fish: --socket" "$(fish_complete 'sbx --socket ')" x11 wayland pulseaudio pipewire ssh-agent cups
    expect "fish: --device" "$(fish_complete 'sbx --device ')" dri sound video input u2f all
    expect "fish: --network" "$(fish_complete 'sbx --network ')" none host private
    expect "fish: --dbus-system" "$(fish_complete 'sbx --dbus-system ')" none filter full
    expect "fish: --hide PATH" "$(fish_complete 'sbx --hide /us')" /usr/
    refuse "fish: --app-id offers no files" "$(fish_complete 'sbx --app-id ')"
    for o in --stop --freeze --thaw --join --stats --share --unshare; do
        expect "fish: $o NAME" "$(fish_complete "sbx $o ")" web mail
    done
    expect "fish: --stats --watch 5 NAME" "$(fish_complete 'sbx --stats --json --watch 5 ')" web mail
    refuse "fish: nothing after --stats NAME" "$(fish_complete 'sbx --stats web ')"
    expect "fish: --watch" "$(fish_complete 'sbx --stats --w')" --watch
else
    bad "fish: does not load: $out"
fi

exit $fail
