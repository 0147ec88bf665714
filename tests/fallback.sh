#!/bin/bash
# Mount-API fallback: the representative subset of test-mounts.sh (ro bind
# incl. submounts, bind write-through, tmpfs, proc, dev, dir/file/symlink,
# bind-data, overlay, symlink attacks), with every sandbox started under
# tests/enosys, which makes open_tree, move_mount, mount_setattr, fsopen,
# fsconfig, fsmount, fspick and openat2 fail with ENOSYS.  sbx must then
# build the same sandbox with classic mount(2).  Root and sbxtest passes as
# everywhere else.
: "${SBX_ENOSYS:?set SBX_ENOSYS to the tests/enosys helper}"
if [[ -z ${SBX_INNER:-} ]]; then
  # Make sure the shim does what it claims before trusting its results.
  if ! "$SBX_ENOSYS" --selftest >/dev/null; then
    echo "not ok 1 - enosys shim blocks the new mount API"
    echo "1..1"
    exit 0
  fi
fi
export SBX_WRAP=enosys SBX_SUBSET=fallback
exec bash "$(dirname "$0")/test-mounts.sh" "$@"
