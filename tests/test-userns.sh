#!/bin/bash
# User-namespace restrictions (issue 11): when the sandbox's user namespace
# can't be created, sbx says in one line what restricts it and the one
# command that lifts it.  Simulated here as far as a test can: a seccomp
# filter around sbx refusing CLONE_NEWUSER (a container's default profile),
# and user.max_user_namespaces=0 inside a user namespace the test creates
# (the knob is per user namespace).  Ubuntu's AppArmor switch and Debian's
# kernel.unprivileged_userns_clone need a kernel that has them: not here.
# Every failure leaves nothing behind: no process, mount or file.
source "$(dirname "$0")/lib.sh"

need_nouserns() {
  [[ $IS_SBX == 1 ]] || skip_check "sbx's own diagnostics"
  [[ -x ${SBX_NOUSERNS:-} ]] || skip_check "the nouserns helper is not reachable (SBX_NOUSERNS=${SBX_NOUSERNS:-})"
}

# The files under the test dir, less sbx's system call filter cache (a
# profile run compiles its filter before the sandbox starts, and keeps it).
files_left() { tree_listing "$T" | grep -v '/\.run/sbx\(/seccomp\(/[0-9a-f]*\.bpf\)\?\)\?$'; }

# userns_error REGEX COMMAND...: COMMAND (an sbx run, wrapped) fails with
# exit status 1 and one line matching REGEX, leaving nothing behind.
userns_error() {
  local want=$1; shift
  local mounts_before files_before
  mounts_before=$(mountpoints)
  files_before=$(files_left)
  RC=0
  "$@" >"$T/.out" 2>"$T/.err" || RC=$?
  OUT=$(<"$T/.out")
  ERR=$(<"$T/.err")
  echo "command: $*"
  echo "exit status: $RC"
  echo "stderr: $ERR"
  expect_eq "$RC" 1 "exit status"
  expect_eq "$OUT" "" "stdout"
  expect_error_message "can't create a user namespace: "
  expect_match "$ERR" "$want" "message"
  expect_eq "$(mountpoints)" "$mounts_before" "mount table of the caller"
  expect_eq "$(files_left)" "$files_before" "files under the test dir"
  if pgrep -f "sbx-userns-$$" >/dev/null; then
    fail "processes left behind: $(pgrep -f "sbx-userns-$$" | tr '\n' ' ')"
  fi
}

t_seccomp_eperm() {
  need_nouserns
  userns_error "a seccomp filter around sbx refuses to create namespaces \(EPERM;.*seccomp=unconfined" \
    "$SBX_NOUSERNS" "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

t_seccomp_enosys() {
  need_nouserns
  userns_error "a seccomp filter around sbx refuses to create namespaces \(ENOSYS;" \
    "$SBX_NOUSERNS" --errno ENOSYS "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

# A profile run (no bubblewrap options) creates its user namespace too.
t_seccomp_profile() {
  need_nouserns
  fresh_home
  userns_error "seccomp filter around sbx" "$SBX_NOUSERNS" "$SBX" --noprofile true
}

# The filter only refuses user namespaces: without one, root's sandbox
# still starts (the diagnosis is not a blanket refusal).
t_seccomp_root_without_userns() {
  need_nouserns
  is_root || skip_check "only root can do without a user namespace"
  RC=0
  OUT=$("$SBX_NOUSERNS" "$SBX" "${RO_ROOT[@]}" echo hi 2>&1) || RC=$?
  expect_eq "$RC" 0 "exit status"
  expect_eq "$OUT" hi "output"
}

# with_fake_sysctl NAME VALUE [APPARMOR_PROFILE] -- COMMAND...: run COMMAND
# where /proc/sys/kernel holds only NAME=VALUE (a tmpfs over it, in a mount
# namespace of its own, as root or as root of a new user namespace), and,
# with a third word, where /etc/apparmor.d (which must exist) holds an
# sbx profile.
with_fake_sysctl() {
  local name=$1 value=$2 profile=${3:-}
  shift 3
  local ns=(-m --propagation private)
  is_root || ns=(-U --map-root-user "${ns[@]}")
  unshare "${ns[@]}" -- bash -c '
    mount -t tmpfs -o size=64k fake-sysctl /proc/sys/kernel && echo "$2" >"/proc/sys/kernel/$1" || exit 99
    if [[ -n $3 ]]; then
      mount -t tmpfs -o size=64k fake-apparmor /etc/apparmor.d || exit 99
      echo "profile sbx" >/etc/apparmor.d/sbx
    fi
    shift 3
    exec "$@"' _ "$name" "$value" "$profile" "$@"
}

need_fake_sysctl() {
  need_nouserns
  with_fake_sysctl unprivileged_userns_clone 0 "" true ||
    skip_check "can't mount a tmpfs over /proc/sys/kernel here"
}

t_debian_userns_clone() {
  need_fake_sysctl
  userns_error "unprivileged user namespaces are disabled \(kernel\.unprivileged_userns_clone is 0 .*sysctl -w kernel\.unprivileged_userns_clone=1" \
    with_fake_sysctl unprivileged_userns_clone 0 "" \
    "$SBX_NOUSERNS" "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

# With the switch off (1 means on), the filter is what refuses: said so.
t_debian_userns_clone_on() {
  need_fake_sysctl
  userns_error "a seccomp filter around sbx refuses" \
    with_fake_sysctl unprivileged_userns_clone 1 "" \
    "$SBX_NOUSERNS" "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

t_ubuntu_apparmor() {
  need_fake_sysctl
  userns_error "AppArmor restricts unprivileged user namespaces \(kernel\.apparmor_restrict_unprivileged_userns is 1\); install sbx's AppArmor profile .*sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0" \
    with_fake_sysctl apparmor_restrict_unprivileged_userns 1 "" \
    "$SBX_NOUSERNS" "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

# Where the package installed sbx's profile, loading it is the remedy.
t_ubuntu_apparmor_profile_installed() {
  need_fake_sysctl
  [[ -d /etc/apparmor.d ]] || skip_check "no /etc/apparmor.d to cover with a tmpfs"
  userns_error "AppArmor restricts .*; load sbx's AppArmor profile, which allows them: apparmor_parser -r /etc/apparmor.d/sbx \(as root\)$" \
    with_fake_sysctl apparmor_restrict_unprivileged_userns 1 with-profile \
    "$SBX_NOUSERNS" "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

# in_userns_with_max N COMMAND...: run COMMAND as root of a new user
# namespace whose user.max_user_namespaces is N.
in_userns_with_max() {
  local max=$1; shift
  unshare -U --map-root-user -- bash -c 'echo "$1" >/proc/sys/user/max_user_namespaces && shift && exec "$@"' \
    _ "$max" "$@"
}

have_unshare_user() {
  [[ $IS_SBX == 1 ]] || skip_check "sbx's own diagnostics"
  unshare -U --map-root-user true 2>/dev/null || skip_check "unshare -U is not allowed here"
}

t_max_user_namespaces_zero() {
  have_unshare_user
  userns_error "user namespaces are disabled \(user\.max_user_namespaces is 0 .*sysctl -w user\.max_user_namespaces=[0-9]+" \
    in_userns_with_max 0 "$SBX" "${RO_ROOT[@]}" --unshare-user --setenv M "sbx-userns-$$" true
}

# The control: the same namespace with room for one more lets sbx start.
t_max_user_namespaces_control() {
  have_unshare_user
  RC=0
  OUT=$(in_userns_with_max 5 "$SBX" "${RO_ROOT[@]}" --unshare-user echo hi 2>&1) || RC=$?
  expect_eq "$RC" 0 "exit status"
  expect_eq "$OUT" hi "output"
}

# ------------------------------------------------ the AppArmor profile

need_profile() {
  [[ -r ${SBX_APPARMOR_PROFILE:-} ]] || skip_check "the built AppArmor profile is not reachable (SBX_APPARMOR_PROFILE=${SBX_APPARMOR_PROFILE:-})"
}

need_parser() {
  need_profile
  command -v apparmor_parser >/dev/null || skip_check "apparmor_parser is not installed (apt-get install apparmor)"
}

# Ubuntu's bwrap profile, for sbx: unconfined, attached to the installed
# binary, granting the one permission the restriction withholds.
t_apparmor_profile_content() {
  need_profile
  local text
  text=$(<"$SBX_APPARMOR_PROFILE")
  expect_match "$text" $'(^|\n)abi <abi/4\.0>,' "abi"
  expect_match "$text" $'(^|\n)profile sbx /[^ ]*/bin/sbx flags=\(unconfined\) \{' "profile line"
  expect_match "$text" $'\n  userns,\n' "userns rule"
}

# apparmor_parser -Q (no kernel load) -K (no cache): the profile parses.
t_apparmor_parses() {
  need_parser
  [[ -e /etc/apparmor.d/abi/4.0 ]] ||
    skip_check "$(apparmor_parser --version | head -n 1) predates AppArmor 4.0 (no abi/4.0, no userns rule); the next check parses the rest"
  apparmor_parser -Q -K "$SBX_APPARMOR_PROFILE"
}

# An AppArmor 3 parser knows neither abi/4.0 nor `userns`: everything else
# of the profile must still parse (and the check can fail: a typo does).
t_apparmor_parses_without_v4_rules() {
  need_parser
  [[ ! -e /etc/apparmor.d/abi/4.0 ]] || skip_check "this parser reads the whole profile (previous check)"
  sed -e 's|<abi/4\.0>|<abi/3.0>|' -e '/^  userns,$/d' "$SBX_APPARMOR_PROFILE" >"$T/sbx.apparmor"
  apparmor_parser -Q -K "$T/sbx.apparmor"
  sed -i 's|^  include if exists|  include iff exists|' "$T/sbx.apparmor"
  ! apparmor_parser -Q -K "$T/sbx.apparmor" 2>/dev/null || fail "the parser accepted a broken profile"
}

run_checks() {
  check "a seccomp filter refusing CLONE_NEWUSER (EPERM) is named, with its remedy" t_seccomp_eperm
  check "a seccomp filter refusing CLONE_NEWUSER (ENOSYS) is named, with its remedy" t_seccomp_enosys
  check "a profile run under such a filter gets the same one message" t_seccomp_profile
  check "the filter does not stop root's sandbox without a user namespace" t_seccomp_root_without_userns
  check "user.max_user_namespaces=0 is named, with the sysctl that lifts it" t_max_user_namespaces_zero
  check "with user.max_user_namespaces above 0 the same sandbox starts" t_max_user_namespaces_control
  check "Debian's kernel.unprivileged_userns_clone=0 is named, with the sysctl that lifts it" t_debian_userns_clone
  check "kernel.unprivileged_userns_clone=1 is not blamed: the filter is" t_debian_userns_clone_on
  check "Ubuntu's kernel.apparmor_restrict_unprivileged_userns=1 is named, with the remedy" t_ubuntu_apparmor
  check "...and with sbx's AppArmor profile installed, the remedy is loading it" t_ubuntu_apparmor_profile_installed
  check "the AppArmor profile grants userns to the installed sbx, confining nothing" t_apparmor_profile_content
  check "the AppArmor profile parses (apparmor_parser -Q -K)" t_apparmor_parses
  check "the AppArmor profile parses with an AppArmor 3 parser, less its AppArmor 4 rules" t_apparmor_parses_without_v4_rules
}

tap_main "$@"
