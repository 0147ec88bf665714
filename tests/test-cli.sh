#!/bin/bash
# Command-line surface: --help/--version, --args (incl. the Flatpak way),
# --argv0, --chdir and the default cwd, --setenv/--unsetenv/--clearenv,
# --level-prefix, the `--` terminator and the --opt=value form, and the
# numbers of --perms, --chmod and --size.
source "$(dirname "$0")/lib.sh"

t_help() {
  local out rc
  rc=0; out=$("$SBX" --help 2>"$T/help.err") || rc=$?
  expect_eq "$rc" 0 "--help exit status"
  expect_eq "$(head -n1 <<<"$out")" "usage: $SBX [OPTIONS...] [--] COMMAND [ARGS...]" "usage line"
  expect_eq "$(<"$T/help.err")" "" "--help stderr"
  # argv[0] is echoed, not a fixed name (tools re-exec with exec -a).
  rc=0; out=$(exec -a my-launcher "$SBX" --help) || rc=$?
  expect_eq "$rc" 0 "--help exit status"
  expect_eq "$(head -n1 <<<"$out")" "usage: my-launcher [OPTIONS...] [--] COMMAND [ARGS...]" "usage line with argv0"
  # every documented option appears in the help text
  for opt in --args --unshare-user --unshare-pid --bind --ro-bind --dev-bind --proc --dev \
             --tmpfs --dir --symlink --file --bind-data --ro-bind-data --seccomp --info-fd \
             --chdir --setenv --unsetenv --die-with-parent --cap-add --cap-drop; do
    grep -qE -- "^ *$opt( |$)" <<<"$out" || fail "--help does not list $opt"
  done
}

t_version() {
  local out rc
  rc=0; out=$("$SBX" --version) || rc=$?
  expect_eq "$rc" 0 "--version exit status"
  expect_match "$out" '^(sbx|bubblewrap) [0-9]+\.[0-9]+' "--version output"
}

t_no_command() {
  run_sbx
  expect_eq "$RC" 1 "exit status without COMMAND"
  expect_contains "$ERR" "usage:" "stderr without COMMAND"
}

# Write NUL-separated arguments to FILE.
write_args() { local f=$1; shift; printf '%s\0' "$@" >"$f"; }

t_args_fd() {
  write_args "$T/args" --setenv GREETING $'hello world\nsecond line' --chdir /usr
  sbx_ok --args 5 "${RO_ROOT[@]}" sh -c 'printf "%s|%s" "$GREETING" "$PWD"' 5<"$T/args"
  expect_eq "$OUT" $'hello world\nsecond line|/usr' "args from --args fd"
  # The last argument needs no trailing NUL, and --args is repeatable.
  printf -- '--setenv\0A\0one' >"$T/a1"
  write_args "$T/a2" --setenv B two
  sbx_ok --args 5 --args 6 "${RO_ROOT[@]}" sh -c 'echo "$A $B"' 5<"$T/a1" 6<"$T/a2"
  expect_eq "$OUT" "one two" "two --args files"
}

t_args_flatpak() {
  # Flatpak puts all options into a sealed memfd, passes only
  # `--args FD COMMAND...` on the command line, and may start the launcher
  # with an empty environment.
  write_args "$T/fp" --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --symlink usr/bin /bin --proc /proc --dev /dev --unshare-pid --clearenv \
    --setenv FLATPAK_ID org.example.App --chdir /
  exec 7<"$T/fp"
  rm -f "$T/fp"          # only the open fd is left, like a sealed memfd
  local wrap=()
  [[ ${SBX_WRAP:-} == enosys ]] && wrap=("$SBX_ENOSYS" ${SBX_ENOSYS_BLOCK:+--block "$SBX_ENOSYS_BLOCK"})
  env -i "${wrap[@]}" "$SBX" --args 7 /usr/bin/env >"$T/.out" 2>"$T/.err" || true
  exec 7<&-
  OUT=$(<"$T/.out"); ERR=$(<"$T/.err")
  expect_eq "$(sort <<<"$OUT")" $'FLATPAK_ID=org.example.App\nPWD=/' "environment of a flatpak-style sandbox (stderr: $ERR)"
}

t_args_nested() {
  write_args "$T/inner" --setenv X 1
  write_args "$T/outer" --args 6
  run_sbx --args 5 "${RO_ROOT[@]}" true 5<"$T/outer" 6<"$T/inner"
  expect_eq "$RC" 1 "--args inside an args file"
  expect_match "$ERR" "$ERR_PREFIX_RE" "error prefix"
}

t_argv0() {
  need --argv0
  sbx_ok "${RO_ROOT[@]}" --argv0 custom-name /bin/sh -c 'tr "\0" " " </proc/$$/cmdline'
  expect_eq "$OUT" "custom-name -c tr \"\\0\" \" \" </proc/\$\$/cmdline " "argv of the sandboxed shell"
  # without --argv0, argv[0] is the command as given
  sbx_ok "${RO_ROOT[@]}" /bin/sh -c 'tr "\0" "\n" </proc/$$/cmdline | head -n1'
  expect_eq "$OUT" "/bin/sh" "default argv0"
}

t_chdir() {
  sbx_ok "${RO_ROOT[@]}" --chdir /usr/share sh -c 'echo "$(pwd -P) $PWD"'
  expect_eq "$OUT" "/usr/share /usr/share" "cwd and PWD with --chdir"
}

t_chdir_twice() {
  sbx_ok "${RO_ROOT[@]}" --chdir /usr --chdir /etc pwd
  expect_eq "$OUT" "/etc" "the last --chdir wins"
  expect_contains "$ERR" "Only the last --chdir option will take effect" "warning"
}

t_default_cwd() {
  # The old cwd is kept when it is visible in the sandbox...
  OUT=$(cd /usr/share && sbx "${RO_ROOT[@]}" sh -c 'echo "$(pwd -P) $PWD"')
  expect_eq "$OUT" "/usr/share /usr/share" "cwd inherited when visible"
  # ...else $HOME if visible...
  mkdir -p "$T/notbound"
  OUT=$(cd "$T/notbound" && HOME=/usr/lib sbx "${MIN_ROOT[@]}" sh -c 'pwd -P')
  expect_eq "$OUT" "/usr/lib" "cwd falls back to \$HOME"
  # ...else /.
  OUT=$(cd "$T/notbound" && HOME=/nonexistent sbx "${MIN_ROOT[@]}" sh -c 'pwd -P')
  expect_eq "$OUT" "/" "cwd falls back to /"
}

t_setenv() {
  sbx_ok "${RO_ROOT[@]}" --setenv SBX_A 'value with spaces' --setenv SBX_B '' \
    sh -c 'echo "A=$SBX_A B=${SBX_B-unset}"'
  expect_eq "$OUT" "A=value with spaces B=" "variables set with --setenv"
}

t_unsetenv() {
  OUT=$(SBX_GONE=1 SBX_KEPT=2 sbx "${RO_ROOT[@]}" --unsetenv SBX_GONE \
    sh -c 'echo "${SBX_GONE-unset} ${SBX_KEPT-unset}"')
  expect_eq "$OUT" "unset 2" "--unsetenv removes one variable only"
}

t_clearenv() {
  OUT=$(SBX_OUTSIDE=1 sbx "${RO_ROOT[@]}" --chdir /usr --clearenv --setenv ONLY me /usr/bin/env)
  expect_eq "$(sort <<<"$OUT")" $'ONLY=me\nPWD=/usr' "environment after --clearenv"
}

t_env_order() {
  # options apply in order: --setenv after --clearenv survives, before does not
  sbx_ok "${RO_ROOT[@]}" --setenv EARLY 1 --clearenv --setenv LATE 2 /usr/bin/env
  expect_not_contains "$OUT" "EARLY=" "env"
  expect_contains "$OUT" "LATE=2" "env"
}

t_level_prefix() {
  need --level-prefix
  run_sbx --level-prefix "${RO_ROOT[@]}" --bind "$T/does-not-exist" /mnt true
  expect_eq "$RC" 1 "exit status"
  expect_match "$ERR" "^<3>(sbx|bwrap|$SBX_NAME): " "error with level prefix"
  expect_contains "$ERR" "Can't find source path" "message"
}

t_dashdash() {
  sbx_ok "${RO_ROOT[@]}" -- /bin/echo --not-an-option
  expect_eq "$OUT" "--not-an-option" "arguments after --"
  # the first non-option starts COMMAND; what follows belongs to it
  sbx_ok "${RO_ROOT[@]}" /bin/echo --chdir /x
  expect_eq "$OUT" "--chdir /x" "options after COMMAND go to COMMAND"
}

t_equals_form() {
  run_sbx "${RO_ROOT[@]}" --chdir=/usr true
  expect_eq "$RC" 1 "exit status for --opt=value"
  expect_error_message "Unknown option"
}

t_exec_fails() {
  run_sbx "${RO_ROOT[@]}" /nonexistent/command-xyz
  expect_eq "$RC" 1 "exit status when COMMAND cannot be executed"
  expect_error_message "command-xyz"
}

# Numbers as bubblewrap 0.11/0.12 reads them (checked against bwrap12).
# --perms and --chmod: strtoul(base 8) over the whole non-empty word, at
# most 07777 (leading white space and a sign are strtoul's).  "7777" gives
# 1777 on a --dir: mkdir(2) drops setuid and setgid.
PERMS_TABLE=(
  "700=700" "0700=700" "00700=700" "1777=1777" "01777=1777" "7777=1777" "0=0" "000=0" "-0=0"
  " 700=700" "+700=700" $'\t700=700'
  "10000=error" "017777=error" "0x1ff=error" "0o700=error" "-700=error" "700 =error" "8=error"
  "9=error" "=error" " =error" "0777x=error" "18446744073709551616=error"
  "77777777777777777777777=error"
)
# --size: a digit first, then strtoull(base 0) over the whole word; not 0;
# "limit" is above INT64_MAX (the kernel's tmpfs size is signed).
SIZE_TABLE=(
  "1048576=1024k" "0x100000=1024k" "0X100000=1024k" "04000000=1024k" "4096=4k"
  " 1048576=error" "+1048576=error" "-1=error" "1048576 =error" "1048576k=error" "0=error"
  "00=error" "0x=error" "0x0=error" "08=error" "=error" "1e6=error" $'\t4096=error'
  "18446744073709551616=error" "18446744073709551615=limit" "9223372036854775808=limit"
)

t_perms_numbers() {
  local row value want
  for row in "${PERMS_TABLE[@]}"; do
    value=${row%=*} want=${row##*=}
    if [[ $want == error ]]; then
      run_sbx "${RO_ROOT[@]}" --tmpfs /mnt --perms "$value" --dir /mnt/d true
      echo "--perms '$value': rc=$RC $ERR"
      expect_eq "$RC" 1 "exit status for --perms '$value'"
      expect_error_message "--perms takes an octal argument <= 07777"
      run_sbx "${RO_ROOT[@]}" --tmpfs /mnt --chmod "$value" /mnt true
      expect_eq "$RC" 1 "exit status for --chmod '$value'"
      expect_error_message "--chmod takes an octal argument <= 07777"
    else
      sbx_ok "${RO_ROOT[@]}" --tmpfs /mnt --perms "$value" --dir /mnt/d stat -c %a /mnt/d
      expect_eq "$OUT" "$want" "mode from --perms '$value'"
      sbx_ok "${RO_ROOT[@]}" --tmpfs /mnt --chmod "$value" /mnt true
    fi
  done
}

t_size_numbers() {
  local row value want super
  for row in "${SIZE_TABLE[@]}"; do
    value=${row%=*} want=${row##*=}
    case $want in
      error | limit)
        run_sbx "${RO_ROOT[@]}" --size "$value" --tmpfs /mnt true
        echo "--size '$value': rc=$RC $ERR"
        expect_eq "$RC" 1 "exit status for --size '$value'"
        if [[ $want == error ]]; then
          expect_error_message "--size takes a non-zero number of bytes"
        else
          expect_error_message "--size (for tmpfs) is limited to 9223372036854775807"
        fi ;;
      *)
        sbx_ok "${RO_ROOT[@]}" --size "$value" --tmpfs /mnt cat /proc/self/mountinfo
        read -r _ _ super <<<"$(mount_entry "$OUT" /mnt)"
        has_opt "$super" "size=$want" || fail "--size '$value': size=$want not in the options: $super" ;;
    esac
  done
}

t_modifiers_twice() {
  run_sbx "${RO_ROOT[@]}" --perms 0700 --size 4096 --perms 0700 --tmpfs /mnt true
  expect_eq "$RC" 1 "exit status for --perms twice"
  expect_error_message "--perms given twice for the same action"
  run_sbx "${RO_ROOT[@]}" --size 4096 --perms 0700 --size 4096 --tmpfs /mnt true
  expect_eq "$RC" 1 "exit status for --size twice"
  expect_error_message "--size given twice for the same action"
  # --perms is used by the --dir; --size then has no --tmpfs
  run_sbx "${RO_ROOT[@]}" --tmpfs /mnt --perms 0700 --size 4096 --dir /mnt/d true
  expect_eq "$RC" 1 "exit status for --size before --dir"
  expect_error_message "--size must be followed by --tmpfs"
}

run_checks() {
  check "--help prints usage with argv[0] to stdout" t_help
  check "--version prints the version" t_version
  check "no COMMAND is a usage error" t_no_command
  check "--args FD: NUL-separated arguments, repeatable" t_args_fd
  check "--args FD: Flatpak style (env -i, everything in an unlinked file)" t_args_flatpak
  check "--args inside an args file is rejected" t_args_nested
  check "--argv0 sets argv[0] of COMMAND" t_argv0
  check "--chdir sets cwd and PWD" t_chdir
  check "--chdir twice: last wins, with a warning" t_chdir_twice
  check "default cwd: old cwd, else \$HOME, else /" t_default_cwd
  check "--setenv" t_setenv
  check "--unsetenv" t_unsetenv
  check "--clearenv leaves only PWD and later --setenv" t_clearenv
  check "environment options apply in order" t_env_order
  check "--level-prefix prefixes errors with <3>" t_level_prefix
  check "-- ends the options; COMMAND's own options are passed through" t_dashdash
  check "--opt=value is not accepted" t_equals_form
  check "exec failure of COMMAND: exit 1 and one message" t_exec_fails
  check "--perms and --chmod numbers as bubblewrap reads them (table)" t_perms_numbers
  check "--size numbers as bubblewrap reads them (table)" t_size_numbers
  check "--perms or --size twice for one option" t_modifiers_twice
}

tap_main "$@"
