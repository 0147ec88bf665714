#!/bin/bash
# sbx --explain-denials: each kind of refusal, reported once with the rule
# that refused it (file:line) and the line that would allow it; then that
# line put into the profile's .local file, and the access works.  Root and
# the unprivileged test user each run every check.
source "$(dirname "$0")/lib.sh"

PROBE=${SBX_SYSPROBE:-}

# The profile: the shipped includes, and a directory of the home read-only.
# Its .local file (empty at first) is where the suggested lines go.
explain_profile() {
  fresh_home
  mkdir -p "$HOME/data" "$HOME/.ssh" "$HOME/other"
  echo key >"$HOME/.ssh/id"
  echo data >"$HOME/data/f"
  echo other >"$HOME/other/o"
  echo netrc >"$HOME/.netrc"
  cat >"$T/profiles/ex.profile" <<'EOF'
include base.inc
include secrets.inc
ro ${HOME}/data
EOF
  : >"$T/profiles/ex.local"
}

# The line of a file that says TEXT, as FILE:LINE (where a report must
# point).
where() { echo "$2:$(grep -nxF -- "$1" "$2" | cut -d: -f1)"; }

# The one report about PATH (a path or a call) in ERR; fails unless there
# is exactly one.
report_for() {
  local lines n
  lines=$(grep -F -- "denied: " <<<"$ERR" | grep -F -- " $1 (")
  n=$(grep -c . <<<"$lines")
  [[ $n == 1 ]] || fail "expected one report about $1, got $n: $ERR"
  REPORT=$lines
  diag "$REPORT"
}

# The suggested line of REPORT, appended to the .local file.
apply_suggestion() {
  local line=${REPORT##*; allow with: }
  [[ $line != "$REPORT" ]] || fail "no suggested line in: $REPORT"
  echo "$line" >>"$T/profiles/ex.local"
}

t_hidden_dir() {
  explain_profile
  run_sbx --explain-denials --profile ex sh -c 'cat ~/.ssh/id; cat ~/.ssh/id'
  [[ $RC != 0 ]] || fail "the secret was readable: $OUT"
  report_for "$HOME/.ssh/id"
  local cat; cat=$(readlink -f "$(command -v cat)")
  expect_eq "$REPORT" "sbx: denied: read $HOME/.ssh/id (ENOENT) by $cat: hidden by $(where 'hide ${HOME}/.ssh' "$T/profiles/secrets.inc") (hide $HOME/.ssh); allow with: ro $HOME/.ssh/id" \
    "the report (read twice, reported once)"
  apply_suggestion
  run_sbx --explain-denials --profile ex cat "$HOME/.ssh/id"
  [[ $RC == 0 && $OUT == key ]] || fail "with the suggested line: $RC $OUT $ERR"
  expect_not_contains "$ERR" "denied:" "reports once allowed"
}

t_hidden_file() {
  explain_profile
  run_sbx --explain-denials --profile ex cat "$HOME/.netrc"
  if is_root; then
    # Root's app keeps root's capabilities, and reads the stand-in (empty)
    # where another user is refused: nothing to report.
    [[ $RC == 0 && -z $OUT ]] || fail "root read something else than the empty stand-in: $RC $OUT"
    expect_not_contains "$ERR" "denied:" "what root's read of the stand-in reports"
    return 0
  fi
  [[ $RC != 0 ]] || fail "the hidden file was readable: $OUT"
  report_for "$HOME/.netrc"
  expect_match "$REPORT" "^sbx: denied: read $HOME/.netrc \(EACCES\) by [^ ]+: hidden by $(where 'hide ${HOME}/.netrc' "$T/profiles/secrets.inc") \(hide $HOME/.netrc\); allow with: ro $HOME/.netrc$" \
    "the report"
  apply_suggestion
  run_sbx --profile ex cat "$HOME/.netrc"
  [[ $RC == 0 && $OUT == netrc ]] || fail "with the suggested line: $RC $OUT $ERR"
}

t_outside_view() {
  explain_profile
  # Below the private home: not shown.  Outside every rule: $T itself
  # (under the private /tmp here, so a directory of the fixture instead).
  run_sbx --explain-denials --profile ex cat "$HOME/other/o"
  [[ $RC != 0 ]] || fail "a file outside the view was readable: $OUT"
  report_for "$HOME/other/o"
  expect_match "$REPORT" "^sbx: denied: read $HOME/other/o \(ENOENT\) by [^ ]+: an empty private directory by $(where 'private ${HOME}' "$T/profiles/base.inc") \(private $HOME\); allow with: ro $HOME/other/o$" \
    "the report"
  apply_suggestion
  run_sbx --profile ex cat "$HOME/other/o"
  [[ $RC == 0 && $OUT == other ]] || fail "with the suggested line: $RC $OUT $ERR"
  # A host file no rule covers at all (the sandbox's root is its own):
  # one of the system's that every user may read, outside base.inc's.
  local f
  for f in /var/lib/dpkg/status /var/lib/rpm/Packages /var/lib/pacman/local/ALPM_DB_VERSION; do
    [[ -r $f ]] && break
  done
  [[ -r $f ]] || return 0
  run_sbx --explain-denials --profile ex head -c 0 "$f"
  [[ $RC != 0 ]] || fail "$f was readable"
  report_for "$f"
  expect_match "$REPORT" "^sbx: denied: read $f \(ENOENT\) by [^ ]+: not in the view: no rule shows it; allow with: ro $f$" \
    "the report, no rule"
  apply_suggestion
  run_sbx --profile ex head -c 0 "$f"
  [[ $RC == 0 ]] || fail "with the suggested line: $RC $OUT $ERR"
}

# A link in the view whose target is not: the target is named, since that
# is what a rule must show.
t_symlink() {
  explain_profile
  ln -s "$HOME/other/o" "$HOME/data/link"
  run_sbx --explain-denials --profile ex cat "$HOME/data/link"
  [[ $RC != 0 ]] || fail "the link's target was readable: $OUT"
  report_for "$HOME/other/o"
  expect_match "$REPORT" "^sbx: denied: read $HOME/other/o \(ENOENT\) by [^ ]+: an empty private directory by $(where 'private ${HOME}' "$T/profiles/base.inc") \(private $HOME\); allow with: ro $HOME/other/o$" \
    "the report"
  apply_suggestion
  run_sbx --profile ex cat "$HOME/data/link"
  [[ $RC == 0 && $OUT == other ]] || fail "with the suggested line: $RC $OUT $ERR"
}

t_read_only() {
  explain_profile
  # A file written, and a new file in the read-only directory.
  run_sbx --explain-denials --profile ex sh -c "echo new >$HOME/data/f; echo made >$HOME/data/g"
  [[ $RC != 0 ]] || fail "a write to a read-only path worked"
  report_for "$HOME/data/f"
  expect_match "$REPORT" "^sbx: denied: write $HOME/data/f \(EROFS\) by [^ ]+: read-only by $(where 'ro ${HOME}/data' "$T/profiles/ex.profile") \(ro $HOME/data\); allow with: rw $HOME/data/f$" \
    "the report, a file"
  apply_suggestion
  report_for "$HOME/data/g"
  expect_match "$REPORT" "^sbx: denied: write $HOME/data/g \(EROFS\) by [^ ]+: read-only by $(where 'ro ${HOME}/data' "$T/profiles/ex.profile") \(ro $HOME/data\); allow with: rw $HOME/data$" \
    "the report, a new file (its directory suggested)"
  run_sbx --explain-denials --profile ex sh -c "echo new >$HOME/data/f"
  [[ $RC == 0 ]] || fail "with the suggested line for the file: $RC $ERR"
  expect_eq "$(<"$HOME/data/f")" new "the write, on the host"
  expect_not_contains "$ERR" "denied:" "reports once allowed"
  apply_suggestion
  run_sbx --profile ex sh -c "echo made >$HOME/data/g"
  [[ $RC == 0 ]] || fail "with the suggested line for the directory: $RC $ERR"
  expect_eq "$(<"$HOME/data/g")" made "the new file, on the host"
}

# The calls sbx's filter refuses: named with their group (the built-in
# policy) or the profile's syscall-deny line; the app sees the same errno
# as without --explain-denials.
t_syscalls() {
  [[ -x $PROBE ]] || skip_check "no sysprobe (SBX_SYSPROBE)"
  explain_profile
  echo "syscall-deny socket" >>"$T/profiles/ex.profile"
  local calls=(unshare-user personality-bsd socket-unix)
  run_sbx --profile ex --ro "$PROBE" "$PROBE" "${calls[@]}"
  local plain=$OUT
  expect_eq "$plain" $'unshare-user EPERM\npersonality-bsd EPERM\nsocket-unix EPERM' "what the probe meets"
  run_sbx --explain-denials --profile ex --ro "$PROBE" "$PROBE" "${calls[@]}" personality-query
  expect_eq "$OUT" "$plain"$'\npersonality-query ok' "what the probe meets, explaining"
  report_for unshare
  expect_match "$REPORT" "^sbx: denied: syscall unshare \(EPERM\) by [^ ]+: refused by sbx's built-in system call policy \(@namespaces: [^)]*\); allow with: syscall-allow @namespaces$" \
    "the report, a group"
  apply_suggestion
  report_for personality
  expect_match "$REPORT" "^sbx: denied: syscall personality \(EPERM\) by [^ ]+: refused by sbx's built-in system call policy \(@cpu-emulation: [^)]*\); allow with: syscall-allow @cpu-emulation$" \
    "the report, a rule on an argument"
  apply_suggestion
  report_for socket
  expect_match "$REPORT" "^sbx: denied: syscall socket \(EPERM\) by [^ ]+: refused by $(where 'syscall-deny socket' "$T/profiles/ex.profile") \(syscall-deny socket\); allow with: syscall-allow socket$" \
    "the report, the profile's syscall-deny"
  apply_suggestion
  expect_eq "$(grep -c 'denied: syscall' <<<"$ERR")" 3 "reports (personality's query is allowed)"
  run_sbx --explain-denials --profile ex --ro "$PROBE" "$PROBE" "${calls[@]}"
  expect_eq "$OUT" $'unshare-user ok\npersonality-bsd ok\nsocket-unix ok' "with the suggested lines"
  expect_not_contains "$ERR" "denied:" "reports once allowed"
}

t_quiet() {
  explain_profile
  run_sbx --explain-denials --profile ex sh -c "cat $HOME/data/f; ls / >/dev/null; cat /nonexistent 2>/dev/null; mkdir /tmp/x"
  [[ $RC == 0 ]] || fail "a run with nothing refused: $RC $ERR"
  expect_not_contains "$ERR" "denied:" "what a run that is refused nothing reports (a path the host lacks too is no denial)"
  run_sbx --profile ex cat "$HOME/.ssh/id"
  expect_not_contains "$ERR" "denied:" "a run without --explain-denials"
  run_sbx --explain-denials --explain --profile ex true
  [[ $RC != 0 ]] || fail "--explain-denials with --explain: exit 0"
}

t_status() {
  explain_profile
  run_sbx --explain-denials --profile ex sh -c 'exit 7'
  expect_eq "$RC" 7 "the status: the app's"
}

# ------------------------------------------------------------- the bus

PING=(gdbus call --session --dest org.sbx.Test --object-path /org/sbx/Test --method org.sbx.Test.Ping)

t_bus_name() {
  explain_profile
  start_test_bus
  echo "dbus-session filter" >>"$T/profiles/ex.profile"
  run_sbx --explain-denials --profile ex "${PING[@]}"
  [[ $RC != 0 ]] || fail "a call to a name no rule allows went through: $OUT"
  report_for org.sbx.Test
  expect_match "$REPORT" "^sbx: denied: dbus talk org.sbx.Test \(call [^)]* at /org/sbx/Test\): the session bus is filtered by $(where 'dbus-session filter' "$T/profiles/ex.profile") \(dbus-session filter\), and no rule names it; allow with: dbus-talk org.sbx.Test$" \
    "the report"
  # Only seen: the rule that gives less is named.
  echo "dbus-see org.sbx.Test" >>"$T/profiles/ex.profile"
  run_sbx --explain-denials --profile ex "${PING[@]}"
  [[ $RC != 0 ]] || fail "a call to a name only seen went through: $OUT"
  report_for org.sbx.Test
  expect_match "$REPORT" ", and only $(where 'dbus-see org.sbx.Test' "$T/profiles/ex.profile") \(dbus-see org.sbx.Test\) is said of it; allow with: dbus-talk org.sbx.Test$" \
    "the report, a name only seen"
  apply_suggestion
  run_sbx --explain-denials --profile ex "${PING[@]}"
  [[ $RC == 0 && $OUT == "('pong',)" ]] || fail "with the suggested line: $RC $OUT $ERR"
  expect_not_contains "$ERR" "denied:" "reports once allowed"
}

run_checks() {
  [[ $IS_SBX == 1 ]] || { check "sbx only" skip_check "--explain-denials is sbx's own"; return; }
  check "a path in a hidden directory: ENOENT, hidden by secrets.inc:N; the suggested ro line allows it" t_hidden_dir
  check "a hidden file: EACCES, hidden by secrets.inc:N; the suggested ro line allows it" t_hidden_file
  check "a path outside the view: below the private home, and below no rule; the suggested ro line allows it" t_outside_view
  check "a link whose target is outside the view: the target named and allowed" t_symlink
  check "writes to a read-only path: EROFS, the profile's ro line; the suggested rw lines allow them" t_read_only
  check "refused system calls: the group, the argument rule, the profile's syscall-deny; same errno; syscall-allow" t_syscalls
  check "a bus name the D-Bus proxy drops: the filter's line, the rule that gives less; dbus-talk allows it" t_bus_name
  check "nothing refused, nothing reported; none without the option" t_quiet
  check "--explain-denials exits with the app's status" t_status
}

tap_main "$@"
