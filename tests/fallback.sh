#!/bin/bash
# Mount-API fallback: the representative subset of test-mounts.sh (ro bind
# incl. submounts, bind write-through, tmpfs, proc, dev, dir/file/symlink,
# bind-data, overlay, symlink attacks), with every sandbox started under
# tests/enosys, which makes open_tree, move_mount, mount_setattr, fsopen,
# fsconfig, fsmount, fspick and openat2 fail with ENOSYS -- or only the calls
# in SBX_ENOSYS_BLOCK (meson runs this with all of them, with mount_setattr
# alone as on kernels 5.2-5.11, and with open_tree alone).  sbx must then
# build the same sandbox, falling back to classic mount(2) call by call.
# Root and sbxtest passes as everywhere else.
: "${SBX_ENOSYS:?set SBX_ENOSYS to the tests/enosys helper}"
if [[ -z ${SBX_INNER:-} ]]; then
  # Make sure the shim does what it claims before trusting its results.
  if ! "$SBX_ENOSYS" ${SBX_ENOSYS_BLOCK:+--block "$SBX_ENOSYS_BLOCK"} --selftest >/dev/null; then
    echo "not ok 1 - enosys shim blocks the new mount API (${SBX_ENOSYS_BLOCK:-all calls})"
    echo "1..1"
    exit 0
  fi
fi
export SBX_WRAP=enosys SBX_SUBSET=fallback
exec bash "$(dirname "$0")/test-mounts.sh" "$@"
