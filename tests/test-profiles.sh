#!/bin/bash
# Profiles: every shipped profile is checked (sbx --check), explained
# (--explain --json, asserted on) and run (a real sandbox, looked at from
# inside); the profile language's errors and its precedence rules are
# observed on test profiles.
#
# Every check runs with a fresh home of its own under $T (never the real
# one), no XDG_* overrides, no desktop sockets, and SBX_PROFILE_PATH
# pointing at a copy of the shipped profiles.
#
# The shipped profiles come from $SBX_PROFILES_DIR, else
# $SBX_SRCDIR/profiles, else ../profiles beside this script.  Run as root,
# they are first copied to a world-readable directory so that the
# unprivileged pass can read them too.
source "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------ expectations

# Every shipped profile must appear in exactly one of these two lists.
OFFLINE=(audacity eog evince gedit gimp gnome-calculator inkscape keepassxc
         libreoffice okular xterm zenity default)
ONLINE=(chromium firefox firefox-esr hexchat mpv qbittorrent thunderbird
        transmission-gtk vlc)
# Profiles whose Downloads folder must be writable.
DOWNLOADS_RW=(chromium firefox firefox-esr hexchat libreoffice qbittorrent
              thunderbird transmission-gtk)
# The app's own directories, which must be "persist" (writable, created on
# the host, surviving the sandbox).  ~ is the home, C D K S the XDG
# config, data, cache and state homes; "-" means the app has none.
declare -A OWN=(
  [audacity]="C/audacity D/audacity K/audacity"
  [chromium]="C/chromium K/chromium"
  [default]="-"
  [eog]="C/eog"
  [evince]="C/evince"
  [firefox]="C/mozilla K/mozilla"
  [firefox-esr]="C/mozilla K/mozilla"
  [gedit]="C/gedit D/gedit"
  [gimp]="C/GIMP K/gimp"
  [gnome-calculator]="K/gnome-calculator"
  [hexchat]="C/hexchat"
  [inkscape]="C/inkscape K/inkscape"
  [keepassxc]="C/keepassxc K/keepassxc"
  [libreoffice]="C/libreoffice"
  [mpv]="C/mpv S/mpv K/mpv"
  [okular]="D/okular"
  [qbittorrent]="C/qBittorrent D/qBittorrent K/qBittorrent"
  [thunderbird]="~/.thunderbird K/thunderbird"
  [transmission-gtk]="C/transmission K/transmission"
  [vlc]="C/vlc D/vlc K/vlc"
  [xterm]="-"
  [zenity]="-"
)

in_list() { local x=$1; shift; local y; for y in "$@"; do [[ $x == "$y" ]] && return 0; done; return 1; }

# ------------------------------------------------------------- helpers

# home_with_secrets: a fresh home (lib.sh) with secrets and user folders.
home_with_secrets() {
  fresh_home
  mkdir -p "$HOME/.ssh" "$HOME/.gnupg/private-keys-v1.d" "$HOME/Downloads" "$HOME/Documents"
  echo SSH-SECRET >"$HOME/.ssh/id_ed25519"
  echo GPG-SECRET >"$HOME/.gnupg/private-keys-v1.d/key.key"
  echo HOME-FILE >"$HOME/plain-file"
}

# own_dir SPEC: the host path of an OWN entry in the current home.
own_dir() {
  case $1 in
    "~/"*) echo "$HOME/${1#\~/}" ;;
    C/*) echo "$HOME/.config/${1#C/}" ;;
    D/*) echo "$HOME/.local/share/${1#D/}" ;;
    K/*) echo "$HOME/.cache/${1#K/}" ;;
    S/*) echo "$HOME/.local/state/${1#S/}" ;;
    *) fail "bad OWN entry $1" ;;
  esac
}

# explain NAME: the --explain --json output flattened by python into lines
#   path<TAB>PATH<TAB>VALUE, network<TAB>VALUE, setting<TAB>KEY<TAB>VALUE
# (stored in $T/explain.flat; the raw JSON in $T/explain.json).
explain() {
  sbx --explain --json "$1" >"$T/explain.json" 2>"$T/explain.err" ||
    fail "sbx --explain --json $1 failed: $(<"$T/explain.err")"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p, v in d["paths"].items():
    print("path\t%s\t%s" % (p, v))
print("network\t%s" % d["network"])
for s in d["settings"]:
    print("setting\t%s\t%s" % (s["key"], s["value"]))
' "$T/explain.json" >"$T/explain.flat" || fail "--explain --json $1 is not valid JSON: $(head -c 600 "$T/explain.json")"
}
path_rule() { awk -F'\t' -v p="$1" '$1 == "path" && $2 == p { print $3; f = 1 } END { if (!f) print "absent" }' "$T/explain.flat"; }
setting() { awk -F'\t' -v k="$1" '$1 == "setting" && $2 == k { print $3; f = 1 } END { if (!f) print "absent" }' "$T/explain.flat"; }
expect_writable_rule() {
  local v; v=$(path_rule "$1")
  [[ $v == persist || $v == rw ]] || fail "$2: $1 is '$v', expected persist or rw"
}

# ------------------------------------------------ every shipped profile

t_inventory() {
  # The expectation lists above and profiles/meson.build cover every file.
  local f name listed
  for f in "$T/profiles"/*.profile; do
    name=$(basename "$f" .profile)
    [[ -n ${OWN[$name]+x} ]] || fail "$name.profile: no entry in OWN (add its own directories to this test)"
    if in_list "$name" "${OFFLINE[@]}"; then
      ! in_list "$name" "${ONLINE[@]}" || fail "$name is both OFFLINE and ONLINE"
    else
      in_list "$name" "${ONLINE[@]}" || fail "$name.profile: neither OFFLINE nor ONLINE"
    fi
  done
  for name in "${!OWN[@]}"; do
    [[ -e $T/profiles/$name.profile ]] || fail "OWN names $name, which is not shipped"
  done
  for f in "$T/profiles"/*.profile "$T/profiles"/*.inc; do
    listed=$(grep -c "'$(basename "$f")'" "$T/profiles/meson.build") || true
    [[ $listed == 1 ]] || fail "$(basename "$f") is not installed by profiles/meson.build"
  done
  [[ $(ls "$T/profiles"/*.profile | wc -l) -ge 21 ]] || fail "fewer than 21 profiles shipped"
}

t_check_includes() {
  home_with_secrets
  local f
  for f in "$T/profiles"/*.inc; do
    run_sbx --check "$f"
    [[ $RC == 0 ]] || fail "sbx --check $f: rc $RC: $ERR"
  done
}

t_profile_check() {
  local name=$1
  home_with_secrets
  run_sbx --check "$name"
  expect_eq "$RC" 0 "sbx --check $name exit status (stderr: $ERR)"
  expect_contains "$OUT" "$T/profiles/$name.profile: ok" "sbx --check $name output"
}

t_profile_explain() {
  local name=$1 spec v
  home_with_secrets
  explain "$name"
  expect_eq "$(path_rule "$HOME/.ssh")" hide "~/.ssh"
  expect_eq "$(path_rule "$HOME/.gnupg")" hide "~/.gnupg"
  expect_eq "$(path_rule "$HOME")" private "the home (an empty tmpfs unless a rule opens a path)"
  if [[ ${OWN[$name]} != - ]]; then
    for spec in ${OWN[$name]}; do
      expect_eq "$(path_rule "$(own_dir "$spec")")" persist "own directory $spec"
    done
  fi
  if in_list "$name" "${DOWNLOADS_RW[@]}"; then
    expect_writable_rule "$HOME/Downloads" Downloads
  fi
  if in_list "$name" "${OFFLINE[@]}"; then
    expect_eq "$(awk -F'\t' '$1 == "network" { print $2 }' "$T/explain.flat")" none network
  else
    expect_eq "$(awk -F'\t' '$1 == "network" { print $2 }' "$T/explain.flat")" private network
  fi
  if [[ $name != default ]]; then
    v=$(setting app-id)
    expect_match "$v" '^[a-z]+(\.[A-Za-z0-9_]+)+$' "app-id of $name"
  fi
  # Nothing persisted on the host by explaining.
  for spec in ${OWN[$name]}; do
    [[ $spec == - || ! -e $(own_dir "$spec") ]] || fail "--explain created $(own_dir "$spec") on the host"
  done
}

# Run the profile for real: secrets invisible, own directories writable
# and persistent, Downloads likewise where expected, the network as
# promised.
t_profile_run() {
  local name=$1 spec d script
  home_with_secrets
  script='
    for f in ~/.ssh/id_ed25519 ~/.gnupg/private-keys-v1.d/key.key ~/plain-file; do
      if cat "$f" 2>/dev/null; then :; else echo "unreadable $f"; fi
    done
    echo "ssh-listing:$(ls -A ~/.ssh 2>&1)"
    echo "gnupg-listing:$(ls -A ~/.gnupg 2>&1)"
    if touch ~/.ssh/planted 2>/dev/null; then echo "ssh-writable"; fi
    for d in "$@"; do echo made-inside >"$d/sbx-test-file" || echo "unwritable $d"; done
    echo "ifaces:$(awk -F: "NR > 2 { gsub(/ /, \"\", \$1); printf \"%s \", \$1 }" /proc/net/dev)"
  '
  local dirs=()
  if [[ ${OWN[$name]} != - ]]; then
    for spec in ${OWN[$name]}; do dirs+=("$(own_dir "$spec")"); done
  fi
  in_list "$name" "${DOWNLOADS_RW[@]}" && dirs+=("$HOME/Downloads")
  sbx_ok --profile "$name" sh -c "$script" sh "${dirs[@]}"
  expect_not_contains "$OUT" SSH-SECRET "output inside"
  expect_not_contains "$OUT" GPG-SECRET "output inside"
  expect_not_contains "$OUT" HOME-FILE "output inside (a home file no rule opens)"
  expect_contains "$OUT" "unreadable $HOME/.ssh/id_ed25519" "~/.ssh/id_ed25519 inside"
  expect_contains "$OUT" "ssh-listing:"$'\n' "~/.ssh is empty inside"
  expect_contains "$OUT" "gnupg-listing:"$'\n' "~/.gnupg is empty inside"
  expect_not_contains "$OUT" ssh-writable "~/.ssh inside"
  [[ ! -e $HOME/.ssh/planted ]] || fail "a file planted in ~/.ssh reached the host"
  expect_not_contains "$OUT" unwritable "own directories and Downloads inside"
  for d in "${dirs[@]}"; do
    expect_eq "$(cat "$d/sbx-test-file" 2>&1)" made-inside "$d on the host after the sandbox"
  done
  local ifaces; ifaces=$(sed -n 's/^ifaces://p' <<<"$OUT")
  if in_list "$name" "${OFFLINE[@]}"; then
    expect_eq "$ifaces" "lo " "network interfaces of an offline profile"
  else
    # network.inc: a network namespace of its own behind the helper.
    expect_eq "$ifaces" "lo tap0 " "network interfaces of an online profile (its own, network private)"
  fi
}

# ------------------------------------------------- the profile language

# A test profile directory of its own, searched first.
test_profiles() {
  home_with_secrets
  P=$T/tp.$RANDOM$RANDOM
  mkdir -p "$P"
  export SBX_PROFILE_PATH=$P:$T/profiles
}

# bad_profile PROFILE FILE LINE TEXT: PROFILE (already written) must be
# refused by --check and by a run, with exit status 2 and one message that
# starts with FILE:LINE: (FILE is where the mistake is: the profile, an
# include or a .local), and nothing may have happened on the host.  Every bad
# profile below also says "rw ~/out" and "persist ~/made": had the run
# started anyway, ~/out/ran or ~/made would exist.
bad_profile() {
  local profile=$1 file=$2 line=$3 text=$4 what
  mkdir -p "$HOME/out"
  for what in check run; do
    if [[ $what == check ]]; then
      run_sbx --check "$profile"
    else
      run_sbx --profile "$profile" sh -c 'touch ~/out/ran'
    fi
    expect_eq "$RC" 2 "exit status of $what"
    expect_eq "$(grep -c . <<<"$ERR")" 1 "lines of error output of $what ($ERR)"
    expect_match "$ERR" "^(<[0-7]>)?(sbx|$SBX_NAME): " "error prefix"
    local msg=${ERR#*: }
    [[ $msg == "$file:$line: "* ]] || fail "$what: message does not start with '$file:$line: ': $ERR"
    expect_contains "$msg" "$text" "$what: message"
    [[ ! -e $HOME/out/ran ]] || fail "$what: the command ran"
    [[ ! -e $HOME/made ]] || fail "$what: the persist directory was created"
  done
}

# with_guard FILE LINES...: write a profile: the guard lines, then LINES.
with_guard() {
  local f=$1; shift
  { echo 'include base.inc'; echo 'rw ~/out'; echo 'persist ~/made'; printf '%s\n' "$@"; } >"$f"
}

t_err_unknown_directive() {
  test_profiles
  with_guard "$P/a.profile" 'blacklist ~/.ssh'
  bad_profile "$P/a.profile" "$P/a.profile" 4 'unknown directive "blacklist"'
}

t_err_undefined_variable() {
  test_profiles
  with_guard "$P/a.profile" 'ro ${DOWNLOADS}/x'
  bad_profile "$P/a.profile" "$P/a.profile" 4 'undefined variable ${DOWNLOADS}'
}

t_err_bad_variable_syntax() {
  test_profiles
  with_guard "$P/a.profile" 'ro ${HOME/x'
  bad_profile "$P/a.profile" "$P/a.profile" 4 'ro: '
  # $HOME is not a variable reference; the path is then relative.
  with_guard "$P/b.profile" 'ro $HOME/x'
  bad_profile "$P/b.profile" "$P/b.profile" 4 'not an absolute path'
}

t_err_include_loop() {
  test_profiles
  with_guard "$P/a.profile" 'include loop-1.inc'
  printf '# one\ninclude loop-2.inc\n' >"$P/loop-1.inc"
  printf '# two\n\ninclude loop-1.inc\n' >"$P/loop-2.inc"
  bad_profile "$P/a.profile" "$P/loop-2.inc" 3 'include loop'
}

t_err_missing_include() {
  test_profiles
  with_guard "$P/a.profile" 'include no-such-file.inc'
  bad_profile "$P/a.profile" "$P/a.profile" 4 'no-such-file.inc'
}

t_err_relative_path() {
  test_profiles
  with_guard "$P/a.profile" 'rw Documents'
  bad_profile "$P/a.profile" "$P/a.profile" 4 'Documents'
}

t_err_dotdot_path() {
  test_profiles
  with_guard "$P/a.profile" 'rw ~/Documents/../.ssh'
  bad_profile "$P/a.profile" "$P/a.profile" 4 '..'
}

t_err_same_layer_conflict() {
  test_profiles
  with_guard "$P/a.profile" 'ro ~/Documents' '# a comment' 'hide ~/Documents'
  bad_profile "$P/a.profile" "$P/a.profile" 6 "$P/a.profile:4"
  # The same conflict between two includes (one layer) is an error too.
  printf 'ro ~/Documents\n' >"$P/one.inc"
  printf 'rw ~/Documents\n' >"$P/two.inc"
  with_guard "$P/b.profile" 'include one.inc' 'include two.inc'
  bad_profile "$P/b.profile" "$P/two.inc" 1 "$P/one.inc:1"
}

t_err_in_local() {
  # A mistake in a .local file is reported against the .local file.
  test_profiles
  with_guard "$P/a.profile"
  printf 'ro ~/Documents\nsocket x12\n' >"$P/a.local"
  bad_profile "$P/a.profile" "$P/a.local" 2 'unknown socket "x12"'
}

# --------------------------------------------------------- precedence

# A dir ~/x holding a file, for the precedence checks.
make_x() { mkdir -p "$HOME/x"; echo X-CONTENT >"$HOME/x/file"; }

t_prec_local_overrides_profile() {
  test_profiles
  make_x
  printf 'include base.inc\nhide ~/x\n' >"$P/app.profile"
  # Without the .local: hidden.
  sbx_ok --profile app sh -c 'cat ~/x/file 2>/dev/null || echo unreadable'
  expect_eq "$OUT" unreadable "~/x/file with the profile's hide"
  # The .local's ro wins over the profile's hide: readable, not writable.
  printf 'ro ~/x\n' >"$P/app.local"
  sbx_ok --profile app sh -c 'cat ~/x/file; touch ~/x/new 2>/dev/null && echo wrote || echo read-only'
  expect_eq "$OUT" $'X-CONTENT\nread-only' "~/x with the .local's ro"
  [[ ! -e $HOME/x/new ]] || fail "a file was written through ro"
}

t_prec_local_in_user_config_dir() {
  # NAME.local in $XDG_CONFIG_HOME/sbx/profiles applies to a profile found
  # elsewhere in the search path.
  test_profiles
  make_x
  printf 'include base.inc\nhide ~/x\n' >"$P/app.profile"
  mkdir -p "$HOME/.config/sbx/profiles"
  printf 'rw ~/x\n' >"$HOME/.config/sbx/profiles/app.local"
  sbx_ok --profile app sh -c 'cat ~/x/file; echo inside >~/x/new'
  expect_eq "$OUT" X-CONTENT "~/x/file with the user's .local"
  expect_eq "$(cat "$HOME/x/new")" inside "file written through the user's .local's rw"
}

t_prec_specific_path_wins() {
  # "private ~" and "rw ~/Downloads" in either order: ~/Downloads is the
  # host's, writable; the rest of the home is an empty tmpfs.
  local order
  for order in private-first rw-first; do
    test_profiles
    if [[ $order == private-first ]]; then
      printf 'include base.inc\nprivate ~\nrw ~/Downloads\n' >"$P/app.profile"
    else
      printf 'include base.inc\nrw ~/Downloads\nprivate ~\n' >"$P/app.profile"
    fi
    echo old >"$HOME/Downloads/existing"
    sbx_ok --profile app sh -c 'cat ~/Downloads/existing; echo new-inside >~/Downloads/new;
      cat ~/plain-file 2>/dev/null || echo no-plain-file; ls -A ~'
    expect_eq "$(cat "$HOME/Downloads/new" 2>&1)" new-inside "$order: file written to ~/Downloads, on the host"
    expect_eq "$(head -n2 <<<"$OUT")" $'old\nno-plain-file' "$order: inside"
    expect_not_contains "$OUT" HOME-FILE "$order: inside"
    expect_not_contains "$(tail -n +3 <<<"$OUT")" plain-file "$order: listing of the home inside"
  done
}

t_prec_include_below_profile() {
  # base.inc makes the home private; the profile's "ro ~" (a higher layer,
  # same path) shows it read-only -- ~/.ssh included, as nothing hides it.
  test_profiles
  printf 'include base.inc\nro ~\n' >"$P/app.profile"
  sbx_ok --profile app sh -c 'cat ~/plain-file; touch ~/new 2>/dev/null && echo wrote || echo read-only;
    cat ~/.ssh/id_ed25519 2>/dev/null || echo ssh-unreadable'
  expect_eq "$OUT" $'HOME-FILE\nread-only\nSSH-SECRET' "inside"
  [[ ! -e $HOME/new ]] || fail "written through ro"
  # With secrets.inc, its more specific "hide ~/.ssh" wins over "ro ~",
  # although the include is the lower layer: specificity comes first.
  printf 'include base.inc\ninclude secrets.inc\nro ~\n' >"$P/app2.profile"
  sbx_ok --profile app2 sh -c 'cat ~/plain-file; cat ~/.ssh/id_ed25519 2>/dev/null || echo ssh-unreadable'
  expect_eq "$OUT" $'HOME-FILE\nssh-unreadable' "with secrets.inc"
}

t_prec_cmdline_beats_profile() {
  test_profiles
  make_x
  printf 'include base.inc\nrw ~/x\n' >"$P/app.profile"
  printf 'rw ~/x\n' >"$P/app.local"
  sbx_ok --profile app sh -c 'cat ~/x/file'
  expect_eq "$OUT" X-CONTENT "~/x/file with the profile alone"
  # --hide on the command line beats both the profile and the .local.
  sbx_ok --profile app --hide '~/x' sh -c 'cat ~/x/file 2>/dev/null || echo unreadable; ls -A ~/x'
  expect_eq "$OUT" unreadable "~/x/file with --hide"
  # --ro beats the profile's rw.
  sbx_ok --profile app --ro "$HOME/x" sh -c 'touch ~/x/new 2>/dev/null && echo wrote || echo read-only'
  expect_eq "$OUT" read-only "~/x with --ro"
  [[ ! -e $HOME/x/new ]] || fail "written through --ro"
}

t_prec_cmdline_network() {
  # --network on the command line beats the profile (and the include).
  test_profiles
  local ifaces='awk -F: "NR > 2 { gsub(/ /, \"\", \$1); printf \"%s \", \$1 }" /proc/net/dev'
  printf 'include base.inc\ninclude network.inc\n' >"$P/app.profile"
  sbx_ok --profile app --network none sh -c "$ifaces"
  expect_eq "$OUT" "lo " "interfaces with --network none"
}

# ------------------------------- a directive and its option: the same plan

t_directive_option_same_plan() {
  # Every directive (but include) written in a profile, and the same as
  # command-line options with --noprofile, must give identical plans: same
  # ops, namespaces, environment and resolved settings (the source of each
  # setting differs, of course).
  test_profiles
  mkdir -p "$HOME/rwdir" "$HOME/rodir" "$HOME/hidden"
  local -a words=(
    ro /usr  ro /bin  ro /lib  ro /lib64  ro /etc
    rw "$HOME/rwdir"  persist "$HOME/state"  hide "$HOME/hidden"  private /tmp
    ro "$HOME/rodir"  device dri  no-device sound  socket x11  no-socket wayland
    network private  forward-port tcp:8080:80  allow-host-port tcp:5432
    egress deny-local  egress-allow 10.0.0.0/8@tcp:443
    dbus-session none  dbus-system none
    dbus-see org.example.See  dbus-talk org.example.Talk  dbus-own org.example.Own
    dbus-call 'org.example.Call=org.example.Call.Method@/x'
    dbus-broadcast 'org.example.B=org.example.B.Sig@/y'
    dbus-system-see org.example.SSee  dbus-system-talk org.example.STalk
    dbus-system-own org.example.SOwn  dbus-system-call 'org.example.SC=*'
    dbus-system-broadcast 'org.example.SB=*'
    hostname box  env 'GREETING=hello world'  unsetenv LANGUAGE
    cap-drop ALL  cap-add CAP_NET_RAW  app-id org.example.Same  name same-box
    syscall-filter default  syscall-deny keyctl  syscall-allow unshare  syscall-errno EACCES
    allow-debugging yes
    landlock required  landlock-scope off  tcp-connect 443,8000-8001  tcp-bind none
    cgroup-namespace off  memory-max 512M  memory-high 256M  memory-swap-max 0  cpu-max 0.5
    cpu-weight 50  cpus 0  pids-max 100  io-max '/ rbps=1M wiops=10'  io-weight 50
  )
  # Every directive the binary knows must be in this list (except include).
  local d known=" "
  for ((i = 0; i < ${#words[@]}; i += 2)); do known+="${words[i]} "; done
  local table=$SBX_SRCDIR/src/policy/directives.c n_dirs=0
  [[ -r $table ]] || fail "no directive table at $table"
  for d in $(sed -n 's/^  { "\([a-z-]*\)", ".*/\1/p' "$table"); do
    [[ $known == *" $d "* ]] || fail "directive '$d' is not covered by this test"
    n_dirs=$((n_dirs + 1))
  done
  ((n_dirs > 20)) || fail "only $n_dirs directives read from $table: its format changed?"
  : >"$P/same.profile"
  local -a opts=()
  for ((i = 0; i < ${#words[@]}; i += 2)); do
    printf '%s "%s"\n' "${words[i]}" "${words[i+1]}" >>"$P/same.profile"
    opts+=("--${words[i]}" "${words[i+1]}")
  done
  sbx --explain --json --profile same true >"$T/a.json" 2>"$T/a.err" || fail "explain (profile): $(<"$T/a.err")"
  sbx --explain --json --noprofile "${opts[@]}" true >"$T/b.json" 2>"$T/b.err" || fail "explain (options): $(<"$T/b.err")"
  python3 - "$T/a.json" "$T/b.json" <<'PY' || fail "the profile and the options give different plans"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
# hostname, unsetenv and cap-add/-drop are bubblewrap's own options on the
# command line: they go straight into the plan rather than through the
# policy, so compare the plan, and the settings other than those.
direct = ("hostname", "cap:", "env:LANGUAGE")
def norm(d):
    return {
        "ops": d["ops"], "env": d["env"], "namespaces": d["namespaces"],
        "network": d["network"], "forward_ports": d["forward_ports"], "allow_host_ports": d["allow_host_ports"],
        "hostname": d["hostname"], "caps": d["capability_changes"],
        "syscall_rules": d["syscall_rules"], "cgroup": d["cgroup"],
        "settings": [(s["key"], s["value"]) for s in d["settings"] if not s["key"].startswith(direct)],
    }
na, nb = norm(a), norm(b)
for k in na:
    if na[k] != nb[k]:
        print("# differs:", k); print("#  profile:", na[k]); print("#  options:", nb[k]); sys.exit(1)
if len(na["ops"]) < 10 or len(na["settings"]) < 30:
    print("# suspiciously small plan"); sys.exit(1)
PY
}

# ------------------------------------------------------------- lifetime

t_lifetime_launcher_and_sbx() {
  # A profile's sandbox outlives the launcher that started sbx (desktop
  # launchers and D-Bus activation let go of their child at once), but not
  # sbx itself: killing sbx ends the sandbox.
  test_profiles
  mkdir -p "$HOME/out"
  printf 'include base.inc\nrw ~/out\n' >"$P/life.profile"
  local marker="life-$RANDOM$RANDOM"
  # The launcher lets go only once the app runs, so sbx is certainly set up
  # by then (a launcher that exits earlier is the easy case).
  sh -c '"$1" --profile life sh -c "echo started > ~/out/started; exec sh -c \"sleep 300; : $2\"" >/dev/null 2>&1 &
         while [ ! -e "$3" ]; do sleep 0.1; done; exit 0' \
    launcher "$SBX" "$marker" "$HOME/out/started"
  local app sbxpid
  # The app's command line is exactly this; sbx's (and the launcher's)
  # only contain it, so an anchored match finds the app and nothing else.
  wait_for pgrep -f "^sh -c sleep 300; : $marker\$" >/dev/null || fail "the app died with its launcher"
  app=$(pgrep -f "^sh -c sleep 300; : $marker\$" | head -n1)
  remember_pid "$app"
  sbxpid=$(pgrep -f -- "--profile life sh -c echo started.*$marker" | head -n1)
  [[ -n $sbxpid ]] || fail "no sbx process found"
  sleep 1 # still alive a moment after the launcher is long gone
  kill -0 "$app" 2>/dev/null || fail "the app did not survive its launcher"
  kill -9 "$sbxpid"
  wait_for sh -c "! kill -0 $app 2>/dev/null" || fail "the sandbox survived sbx being killed"
}

# ------------------------------------- symlinks the app could have planted

t_sec_planted_link_as_rule_path() {
  # A run plants ~/.app/settings.ini -> ~/.ssh/id_ed25519 in its persisted
  # directory; the next run's "ro ~/.app/settings.ini" must not show the key.
  test_profiles
  printf 'include base.inc\ninclude secrets.inc\npersist ~/.app\n' >"$P/plant.profile"
  sbx_ok --profile plant sh -c 'ln -s "$HOME/.ssh/id_ed25519" ~/.app/settings.ini'
  [[ -L $HOME/.app/settings.ini ]] || fail "the planting run did not leave its link on the host"
  printf 'include base.inc\ninclude secrets.inc\npersist ~/.app\nro ~/.app/settings.ini\n' >"$P/victim.profile"
  run_sbx --profile victim sh -c 'cat ~/.app/settings.ini 2>&1; true'
  expect_not_contains "$OUT" SSH-SECRET "reading the planted link inside"
}

t_sec_planted_link_on_the_way() {
  # With the home writable, a link the app planted in it (~/.cfg -> ~/.ssh)
  # must not lead a later rule (ro ~/.cfg/id_ed25519) to the key: sbx
  # refuses the profile, names the link, and runs nothing.
  test_profiles
  printf 'include base.inc\npersist ~\n' >"$P/plant.profile"
  sbx_ok --profile plant sh -c 'ln -s "$HOME/.ssh" ~/.cfg'
  [[ -L $HOME/.cfg ]] || fail "the planting run did not leave its link on the host"
  printf 'include base.inc\npersist ~\nro ~/.cfg/id_ed25519\nrw ~/out\n' >"$P/victim.profile"
  mkdir -p "$HOME/out"
  run_sbx --profile victim sh -c 'cat ~/.cfg/id_ed25519 > ~/out/ran 2>&1'
  expect_eq "$RC" 2 "exit status"
  expect_contains "$ERR" "$P/victim.profile:3:" "message location"
  expect_contains "$ERR" "$HOME/.cfg is a symlink" "message names the link"
  [[ ! -e $HOME/out/ran ]] || fail "the sandbox ran anyway"
}

t_sec_planted_link_before_persist() {
  # "persist" creates missing directories on the host: a link the app
  # planted on the way (~/.cfg -> ~/.ssh) must not make sbx create them
  # there.
  test_profiles
  printf 'include base.inc\npersist ~\n' >"$P/plant.profile"
  sbx_ok --profile plant sh -c 'ln -s "$HOME/.ssh" ~/.cfg'
  printf 'include base.inc\npersist ~\npersist ~/.cfg/made\n' >"$P/victim.profile"
  run_sbx --profile victim true
  expect_eq "$RC" 2 "exit status"
  expect_contains "$ERR" "$HOME/.cfg is a symlink" "message names the link"
  [[ ! -e $HOME/.ssh/made ]] || fail "sbx created a directory through the planted link"
}

t_sec_link_swapped_before_persist() {
  # The same link, swapped in after sbx checked the path (by another
  # instance's app, which may write the home) but before it creates the
  # directories: strace holds sbx at its first mkdir, the link appears.
  command -v strace >/dev/null || skip_check "strace not installed"
  test_profiles
  printf 'include base.inc\npersist ~\npersist ~/.cfg/made\n' >"$P/victim.profile"
  strace -o /dev/null -e trace=mkdir,mkdirat -e inject=mkdir,mkdirat:delay_enter=2000000:when=1 \
    "$SBX" --profile victim true >"$T/.out" 2>"$T/.err" &
  local st=$! pid
  remember_pid $st
  wait_for pgrep -P $st >/dev/null || fail "sbx did not start under strace"
  pid=$(pgrep -P $st)
  # Stopped at the entry of mkdir (83) or mkdirat (258): past the check.
  wait_for grep -qE '^(83|258) ' "/proc/$pid/syscall" || fail "sbx never reached mkdir: $(cat "$T/.err")"
  ln -s "$HOME/.ssh" "$HOME/.cfg"
  RC=0
  wait $st || RC=$?
  ERR=$(<"$T/.err")
  echo "rc=$RC $ERR"
  [[ ! -e $HOME/.ssh/made ]] || fail "sbx created a directory through the swapped-in link"
  expect_eq "$RC" 1 "exit status"
  expect_contains "$ERR" "symlink" "message"
}

t_sec_own_link_followed() {
  # A symlink the app cannot have made (the home is not writable to it) is
  # the user's own, e.g. a dotfile link: it is followed.
  test_profiles
  mkdir -p "$HOME/dotfiles/tool" && echo USER-CONF >"$HOME/dotfiles/tool/conf"
  ln -s dotfiles/tool "$HOME/.tool"
  printf 'include base.inc\nro ~/.tool/conf\n' >"$P/user.profile"
  sbx_ok --profile user cat "$HOME/.tool/conf"
  expect_eq "$OUT" USER-CONF "the file behind the user's own link"
}

# ---------------------------------------------------- the caller's terminal

# pty_drive COMMAND STEP...: run COMMAND (bash -c) on a new pty that is its
# controlling terminal, as a login shell's job would be, then follow the
# steps: "expect:TEXT" waits (at most 20 s) until TEXT was output,
# "send:TEXT" types TEXT ("\n" is Enter).  Then waits (at most 20 s) for
# COMMAND to end.  Prints the terminal's output; fails on a timeout.
PTY_DRIVER='
import os, pty, select, sys, time
pid, master = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "-c", sys.argv[1]])
out = b""
def pump(deadline, until=None):
    global out
    while time.monotonic() < deadline:
        if until is not None and until in out:
            return True
        if select.select([master], [], [], 0.2)[0]:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            if not data:
                break
            out += data
    return until is not None and until in out
ok = True
for step in sys.argv[2:]:
    verb, _, text = step.partition(":")
    text = text.replace("\\n", "\n")
    if verb == "send":
        os.write(master, text.encode())
    elif not pump(time.monotonic() + 20, text.encode()):
        print("TIMEOUT waiting for %r" % text); ok = False; break
deadline, status = time.monotonic() + 20, None
while status is None and time.monotonic() < deadline:
    pump(time.monotonic() + 0.2)
    if os.waitpid(pid, os.WNOHANG)[0] == pid:
        status = 0
if status is None:
    os.kill(pid, 9); os.waitpid(pid, 0); print("TIMEOUT waiting for the command to end"); ok = False
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.exit(0 if ok else 1)
'
pty_drive() { /usr/bin/python3 -c "$PTY_DRIVER" "$@"; }

# Types "$1" and "$2" (each followed by Enter) into the controlling terminal
# with TIOCSTI: the first with the high 32 bits of the ioctl request set
# (the kernel truncates the request to 32 bits), the second plainly.
TIOCSTI_INJECT='
import ctypes, os, sys, termios
libc = ctypes.CDLL(None, use_errno=True)
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_char_p]
fd = os.open("/dev/tty", os.O_RDWR)
for req, text in ((termios.TIOCSTI | (1 << 32), sys.argv[1]), (termios.TIOCSTI, sys.argv[2])):
    res = "typed"
    for c in (text + "\n").encode():
        if libc.ioctl(fd, req, bytes([c])) != 0:
            res = "refused (errno %d)" % ctypes.get_errno(); break
    print("request %#x: %s" % (req, res))
'

# tiocsti_run PREFIX...: the caller's shell runs PREFIX python3 INJECT on
# its terminal, then reads its next commands from that terminal, as a login
# shell does.  Prints the terminal's output.
tiocsti_run() {
  local m1=$T/typed-high.$1 m2=$T/typed-plain.$1; shift
  rm -f "$m1" "$m2"
  pty_drive "$(printf '%q ' "$@" /usr/bin/python3 -c "$TIOCSTI_INJECT" "touch $m1" "touch $m2"); echo SANDBOX-DONE; exec sh" \
    expect:SANDBOX-DONE 'send:exit\n'
}

t_tty_no_injection() {
  # A profile sandbox shares the caller's terminal (so interactive apps work)
  # but must not type into it: the caller's shell would run what it typed,
  # outside the sandbox.
  test_profiles
  local out
  # The kernel itself may refuse TIOCSTI to everyone: then there is nothing
  # to show.  Outside any sandbox it works here, or the check is moot.
  out=$(tiocsti_run control) || fail "the control run on a pty: $out"
  [[ -e $T/typed-plain.control ]] || skip_check "this kernel refuses TIOCSTI outright (dev.tty.legacy_tiocsti=0?)"
  out=$(tiocsti_run sbx "$SBX" --profile default) || fail "the sandboxed run on a pty: $out"
  echo "$out"
  [[ ! -e $T/typed-high.sbx ]] || fail "TIOCSTI (request with high bits set) typed a command the caller's shell ran"
  [[ ! -e $T/typed-plain.sbx ]] || fail "TIOCSTI typed a command the caller's shell ran"
  expect_contains "$out" "request 0x100005412: refused (errno 1)" "inside, TIOCSTI with high bits"
  expect_contains "$out" "request 0x5412: refused (errno 1)" "inside, TIOCSTI"
}

t_tty_interactive_shell() {
  # An interactive shell in a profile sandbox, on the caller's terminal,
  # still reads what is typed and runs it.
  test_profiles
  local out
  out=$(pty_drive "PS1='in-sandbox> ' $(printf '%q' "$SBX") --profile default sh -i" \
    'expect:in-sandbox> ' 'send:echo typed-$((6*7))\n' 'expect:typed-42' 'send:exit 7\n') ||
    fail "the shell did not run what was typed: $out"
  echo "$out"
}

t_tty_rules_with_caller_seccomp() {
  # sbx's own rules go in before a caller's --seccomp program, which may
  # refuse seccomp(2) and prctl(PR_SET_SECCOMP) (bubblewrap only asks that
  # of every program but the last): both apply.
  [[ -n ${SBX_SECCOMP_GEN:-} && -x $SBX_SECCOMP_GEN ]] || skip_check "SBX_SECCOMP_GEN (tests/seccomp-gen) not available"
  test_profiles
  "$SBX_SECCOMP_GEN" seccomp:EPERM prctl:EPERM mkdir:EPERM mkdirat:EPERM >"$T/strict.bpf"
  sbx_ok --profile default --seccomp 5 sh -c \
    'mkdir /tmp/d 2>&1 || true; awk "/^Seccomp_filters:/ { print \$2 }" /proc/self/status' 5<"$T/strict.bpf"
  expect_contains "$(sed -n 1p <<<"$OUT")" "Operation not permitted" "mkdir under the caller's program"
  [[ $(sed -n 2p <<<"$OUT") -ge 2 ]] || fail "expected sbx's filter and the caller's, got: $OUT"
}

# ------------------------------------------------ the caller's descriptors

t_fd_caller_fds_closed() {
  # An fd the caller leaks -- a directory outside the view (the hidden
  # ~/.ssh), a pipe -- does not reach a profile sandbox's app; the pipe's
  # reader sees EOF while the sandbox still runs (nothing of sbx's holds it).
  test_profiles
  mkdir -p "$T/io"; rm -f "$T/io/"* "$T/eof"
  mkfifo "$T/io/go" "$T/pipe"
  ( cat "$T/pipe" >/dev/null; echo eof >"$T/eof" ) &
  remember_pid $!
  sbx_exec --profile default --rw "$T/io" sh -c '
    for fd in 5 7; do test -e /proc/self/fd/$fd && echo "fd $fd: open"; done
    cat /proc/self/fd/7/id_ed25519 2>/dev/null
    echo listed >"$1/listed"; read x <"$1/go"' sh "$T/io" 7<"$HOME/.ssh" 5>"$T/pipe" >"$T/out" 2>&1 &
  local b=$!
  remember_pid "$b"
  wait_for test -e "$T/io/listed" || fail "the sandbox did not start: $(cat "$T/out")"
  wait_for test -e "$T/eof" || fail "the caller's pipe did not reach EOF while the sandbox runs"
  echo go >"$T/io/go"
  wait "$b" || fail "sandbox exit status: $(cat "$T/out")"
  local out; out=$(<"$T/out")
  expect_not_contains "$out" SSH-SECRET "read through the leaked directory fd"
  expect_not_contains "$out" "fd 7: open" "the leaked directory fd inside"
  expect_not_contains "$out" "fd 5: open" "the leaked pipe inside"
}

# ------------------- directive options next to a bubblewrap-style command line

t_bwrap_cmdline_directive_refused() {
  # A directive that can't apply to a sandbox the command line describes is
  # an error naming it, and nothing runs (it used to be silently dropped:
  # --hide /etc after --ro-bind / / listed /etc).
  home_with_secrets
  mkdir -p "$T/io"; rm -f "$T/io/ran"
  local opt
  for opt in "--hide /etc" "--ro /usr" "--rw $HOME" "--private /tmp" "--persist $HOME/x" "--socket x11" \
             "--device dri" "--dbus-session filter" "--dbus-talk org.example.X" "--app-id org.example.App"; do
    run_sbx --ro-bind / / --bind "$T/io" "$T/io" $opt sh -c "ls /etc; touch $T/io/ran"
    expect_eq "$RC" 2 "$opt: exit status"
    expect_error_message "${opt%% *} can't be used with a bubblewrap-style command line"
    expect_eq "$OUT" "" "$opt: output"
    [[ ! -e $T/io/ran ]] || fail "$opt: the command ran"
  done
  # --network host can't undo the command line's own --unshare-net.
  run_sbx --unshare-net --ro-bind / / --network host true
  expect_eq "$RC" 2 "--network host with --unshare-net: exit status"
  expect_error_message "--network host contradicts --unshare-net"
}

t_bwrap_cmdline_directive_applies() {
  # --network none, --env and --name mean the same in any sandbox: they
  # apply to a bubblewrap-style command line, which otherwise stays as
  # bubblewrap would build it (the host's /etc under --ro-bind / /, the
  # caller's fds, no profile's namespaces).
  home_with_secrets
  local ifaces='awk -F: "NR > 2 { gsub(/ /, \"\", \$1); printf \"%s \", \$1 }" /proc/net/dev'
  sbx_ok --ro-bind / / --network none --env 'GREETING=hello there' --name box sh -c \
    "$ifaces; echo \"[\$GREETING]\"; test -e /etc/passwd && echo etc-visible; test -e /proc/self/fd/7 && echo fd7-kept" 7</dev/null
  expect_eq "$OUT" "lo "$'[hello there]\netc-visible\nfd7-kept' "inside"
  # Without --network the command line's network stays the host's.
  sbx_ok --ro-bind / / --name box sh -c "$ifaces"
  expect_eq "$OUT" "$(sh -c "$ifaces")" "interfaces without --network"
  # The command line's own --setenv wins over --env for the same name.
  sbx_ok --ro-bind / / --env V=directive --setenv V option sh -c 'echo "$V"'
  expect_eq "$OUT" option "--setenv after --env"
}

# ------------------------------------------------------ profile selection

t_select_by_command_name() {
  # Without --profile, the command's basename picks NAME.profile; with
  # --noprofile no profile applies.
  test_profiles
  printf 'include base.inc\nenv PICKED=by-name\n' >"$P/sh.profile"
  sbx_ok sh -c 'echo "picked:${PICKED:-none}"'
  expect_eq "$OUT" picked:by-name "sbx sh"
  sbx_ok /bin/sh -c 'echo "picked:${PICKED:-none}"'
  expect_eq "$OUT" picked:by-name "sbx /bin/sh"
  # No NAME.profile: default.profile (found further down the path).
  sbx_ok --profile default sh -c 'echo "picked:${PICKED:-none}"'
  expect_eq "$OUT" picked:none "sbx --profile default sh"
  sbx_ok --noprofile --ro /usr --ro /bin --ro /lib --ro /lib64 sh -c 'echo "picked:${PICKED:-none}"'
  expect_eq "$OUT" picked:none "sbx --noprofile"
  run_sbx --profile no-such-profile true
  expect_eq "$RC" 2 "exit status for a missing profile"
  expect_contains "$ERR" no-such-profile "error message"
}

t_variables() {
  # ${DOWNLOAD} follows user-dirs.dirs; ${PROFILE} is the profile's name.
  test_profiles
  mkdir -p "$HOME/.config" "$HOME/Telechargements"
  echo 'XDG_DOWNLOAD_DIR="$HOME/Telechargements"' >"$HOME/.config/user-dirs.dirs"
  printf 'include base.inc\nrw ${DOWNLOAD}\nenv WHO=${PROFILE}\n' >"$P/app.profile"
  sbx_ok --profile app sh -c 'echo x >~/Telechargements/f; echo "$WHO"'
  expect_eq "$OUT" app "\${PROFILE}"
  expect_eq "$(cat "$HOME/Telechargements/f")" x "file written to \${DOWNLOAD}"
}

t_disabled_user_dir() {
  # XDG_DOCUMENTS_DIR="$HOME" means "no Documents folder"; it must not turn
  # evince's "rw ${DOCUMENTS}" into a writable home.
  test_profiles
  mkdir -p "$HOME/.config"
  echo 'XDG_DOCUMENTS_DIR="$HOME"' >"$HOME/.config/user-dirs.dirs"
  explain evince
  expect_eq "$(path_rule "$HOME")" private "the home with Documents disabled"
  sbx_ok --profile evince sh -c 'echo changed >~/plain-file 2>/dev/null; true'
  expect_eq "$(cat "$HOME/plain-file")" HOME-FILE "a home file after the sandbox"
}

# ------------------------------------------------------ no session bus

# With no bus for the app -- "dbus-session none", or filter/full on a host
# without a session bus -- a D-Bus client inside must fail at once, not
# autolaunch a bus: with DBUS_SESSION_BUS_ADDRESS unset and DISPLAY set,
# GLib and libdbus run dbus-launch, which starts a dbus-daemon in the
# sandbox (and Firefox then waits ~25 s on a portal activated there).  A
# dbus-launch of our own, first on PATH, records any such attempt in the
# sandbox's /tmp, so the check works whether or not dbus-x11 is installed.
t_ssh_agent_socket() {
  test_profiles
  # A stand-in agent on the host: a unix socket that answers one line.
  local sock=$HOME/.run/agent.sock
  python3 - "$sock" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
c.sendall(b"agent-here\n")
c.close()
PY
  remember_pid $!
  wait_for test -S "$sock" || fail "the stand-in agent did not start"
  printf 'include base.inc\nsocket ssh-agent\n' >"$P/agent.profile"
  SSH_AUTH_SOCK=$sock sbx_ok --profile agent python3 -c '
import os, socket
s = socket.socket(socket.AF_UNIX)
s.connect(os.environ["SSH_AUTH_SOCK"])
print(os.environ["SSH_AUTH_SOCK"], s.recv(64).decode().strip())'
  expect_eq "$OUT" "/run/user/$(id -u)/ssh-agent agent-here" "the agent, from inside"
  # --explain names the host's socket (the note was once printed from a
  # string the environment edit had freed).
  SSH_AUTH_SOCK=$sock sbx_ok --explain agent true
  expect_contains "$OUT" "ssh-agent: $sock -> /run/user/$(id -u)/ssh-agent" "--explain"
}

t_no_bus_no_autolaunch() {
  command -v gdbus >/dev/null || skip_check "gdbus (libglib2.0-bin) is not installed"
  test_profiles
  local fake=$T/fakebin.$RANDOM mode uid
  uid=$(id -u)
  mkdir -p "$fake"
  printf '#!/bin/sh\necho "dbus-launch $*" >>/tmp/autolaunched\nexit 1\n' >"$fake/dbus-launch"
  chmod 755 "$fake/dbus-launch"
  # The host: no bus address, an empty runtime dir (home_with_secrets), an X display.
  [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} && ! -e $XDG_RUNTIME_DIR/bus ]] || fail "the test's host has a session bus"
  local probe='
    echo "addr=${DBUS_SESSION_BUS_ADDRESS-unset}"
    gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.GetId 2>&1
    echo "gdbus-rc=$?"
    if command -v dbus-send >/dev/null; then
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetId 2>&1
      echo "dbus-send-rc=$?"
    fi
    cat /tmp/autolaunched 2>/dev/null || echo no-autolaunch
    ps -e -o comm= | grep -x -e dbus-daemon -e dbus-launch | sed "s/^/running: /"
    true'
  for mode in none filter full; do
    printf 'include base.inc\nro %s\ndbus-session %s\n' "$fake" "$mode" >"$P/bus-$mode.profile"
    DISPLAY=:99 PATH=$fake:$PATH sbx_ok --profile "bus-$mode" sh -c "$probe"
    expect_contains "$OUT" no-autolaunch "dbus-session $mode: dbus-launch"
    expect_not_contains "$OUT" "running: " "dbus-session $mode: processes inside"
    expect_contains "$OUT" "addr=unix:path=/run/user/$uid/bus" "dbus-session $mode: the bus address inside"
    expect_contains "$OUT" "gdbus-rc=1" "dbus-session $mode: gdbus"
    expect_contains "$OUT" "Could not connect: No such file or directory" "dbus-session $mode: gdbus's error"
    if [[ $OUT == *dbus-send-rc=* ]]; then
      expect_contains "$OUT" "dbus-send-rc=1" "dbus-session $mode: dbus-send"
      expect_contains "$OUT" "Failed to connect to socket /run/user/$uid/bus: No such file or directory" \
        "dbus-session $mode: dbus-send's error"
    fi
  done
  # The control: without that address the same client in the same sandbox
  # does run dbus-launch (so the checks above can see an autolaunch).
  DISPLAY=:99 PATH=$fake:$PATH sbx_ok --profile bus-none sh -c \
    'env -u DBUS_SESSION_BUS_ADDRESS gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
       -m org.freedesktop.DBus.GetId >/dev/null 2>&1; cat /tmp/autolaunched'
  expect_contains "$OUT" "dbus-launch --autolaunch" "the control: gdbus without an address"
  # --explain says so.
  DISPLAY=:99 run_sbx --explain --profile bus-none true
  expect_contains "$OUT" "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus, where no socket is" "--explain"
  # A profile's own env directive still wins.
  printf 'include base.inc\ndbus-session none\nenv DBUS_SESSION_BUS_ADDRESS=unix:path=/elsewhere\n' >"$P/bus-env.profile"
  sbx_ok --profile bus-env sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS"'
  expect_eq "$OUT" unix:path=/elsewhere "the profile's env DBUS_SESSION_BUS_ADDRESS"
}

# ------------------------------------------------------------- driver

run_checks() {
  if [[ $IS_SBX != 1 ]]; then
    check "profiles are an sbx feature" skip_check "$SBX_NAME is not sbx"
    return
  fi
  local src=${SBX_PROFILES_DIR:-${SBX_SRCDIR:+$SBX_SRCDIR/profiles}}
  [[ -n $src ]] || src=$TESTS_DIR/../profiles
  mkdir -p "$T/profiles"
  cp "$src"/*.profile "$src"/*.inc "$src"/meson.build "$T/profiles/"
  local names=() f
  for f in "$T/profiles"/*.profile; do names+=("$(basename "$f" .profile)"); done

  check "every shipped profile is listed in this test and installed" t_inventory
  check "every shipped include passes sbx --check" t_check_includes
  local n
  for n in "${names[@]}"; do
    check "$n: sbx --check" t_profile_check "$n"
    check "$n: --explain --json: secrets hidden, own dirs persist, network, app-id" t_profile_explain "$n"
    check "$n: inside: secrets invisible, own dirs persist on the host, network" t_profile_run "$n"
  done

  check "error: unknown directive" t_err_unknown_directive
  check "error: undefined variable" t_err_undefined_variable
  check "error: malformed variable reference" t_err_bad_variable_syntax
  check "error: include loop" t_err_include_loop
  check "error: missing include" t_err_missing_include
  check "error: relative path" t_err_relative_path
  check "error: path with .." t_err_dotdot_path
  check "error: two values for one key in one layer" t_err_same_layer_conflict
  check "error: a mistake in a .local file" t_err_in_local

  check "precedence: .local beats the profile (hide -> ro)" t_prec_local_overrides_profile
  check "precedence: NAME.local in ~/.config/sbx/profiles applies" t_prec_local_in_user_config_dir
  check "precedence: the most specific path wins, in either order" t_prec_specific_path_wins
  check "precedence: the profile beats its includes" t_prec_include_below_profile
  check "precedence: command-line --hide/--ro beat profile and .local" t_prec_cmdline_beats_profile
  check "precedence: command-line --network beats the profile" t_prec_cmdline_network
  check "a profile and the same directives as options give the same plan" t_directive_option_same_plan
  check "lifetime: the sandbox outlives its launcher, not sbx" t_lifetime_launcher_and_sbx
  check "security: a link planted as a rule's path does not reach the secret" t_sec_planted_link_as_rule_path
  check "security: a link planted on the way to a rule's path is refused" t_sec_planted_link_on_the_way
  check "security: persist does not create directories through a planted link" t_sec_planted_link_before_persist
  check "security: nor through a link swapped in after the check" t_sec_link_swapped_before_persist
  check "security: the user's own dotfile link is followed" t_sec_own_link_followed
  check "terminal: TIOCSTI from a profile sandbox types nothing into the caller's shell" t_tty_no_injection
  check "terminal: an interactive shell in a profile sandbox reads what is typed" t_tty_interactive_shell
  check "terminal: sbx's rules and a caller's --seccomp program that refuses seccomp() both apply" t_tty_rules_with_caller_seccomp
  check "fds: the caller's leaked fds are closed in a profile sandbox" t_fd_caller_fds_closed
  check "bwrap-style command line: a directive option that can't apply is an error" t_bwrap_cmdline_directive_refused
  check "bwrap-style command line: --network none, --env, --name apply" t_bwrap_cmdline_directive_applies
  check "selection: by command name, default, --noprofile" t_select_by_command_name
  check "variables: \${DOWNLOAD} from user-dirs.dirs, \${PROFILE}" t_variables
  check "variables: a disabled user folder does not open the home" t_disabled_user_dir
  check "no session bus: clients inside fail at once, nothing autolaunches a bus" t_no_bus_no_autolaunch
  check "socket ssh-agent: the agent answers inside at \$SSH_AUTH_SOCK; --explain names it" t_ssh_agent_socket
}

ISOLATE_NET=1 # the online profiles start the network helper
tap_main "$@"
