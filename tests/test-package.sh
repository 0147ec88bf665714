#!/bin/bash
# tests/test-package.sh [WORKDIR] -- the Debian package, built and used.
#
# Builds the .deb from a copy of the source tree (dpkg-buildpackage -us -uc
# -b, in WORKDIR, default build-pkg/ beside this tests/ directory), checks
# what it ships (dpkg -c) and lintian's verdict, then installs it with dpkg
# into a fresh Debian 12 (bookworm) root made by debootstrap and runs a
# smoke test there: sbx --version, a bubblewrap-style sandbox, a profile
# sandbox as an unprivileged user, `man sbx`, and what the AppArmor
# handling of debian/postinst leaves on a system whose AppArmor predates
# 4.0.  Also: the RPM spec parses (rpmspec -P) where rpm is installed.
#
# The root is made once per machine and kept as a tarball in
# $SBX_PKG_CACHE (default /var/cache/sbx-ci), named after what it holds;
# every run unpacks a fresh copy, so the .deb always goes into a clean root.
#
# The root is entered with pivot_root in a private mount namespace of its
# own (unshare -m --propagation private), where /proc, /sys and /dev are
# mounted: nothing stays mounted on the host, whatever fails.  Not chroot:
# the kernel refuses a user namespace to a chrooted process (EPERM), and
# every sbx sandbox starts with one.
#
# Root only.  TAP; the whole script is skipped (with the reason) without
# root, debootstrap or dpkg-buildpackage, or when the Debian mirror
# ($SBX_DEBIAN_MIRROR) cannot be reached for a root not yet cached.
# `bash .ci/run package` installs what it needs and runs it.

set -u
set -o pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
W=${1:-$SRC/build-pkg}
CACHE=${SBX_PKG_CACHE:-/var/cache/sbx-ci}
MIRROR=${SBX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm

n=0
failed=0
skipped=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
diag() { sed 's/^/# /'; }
finish() {
  echo "1..$n"
  echo "package: $((n - failed - skipped)) passed, $failed failed, $skipped skipped"
  ((failed == 0))
  exit
}

# check DESC CMD...: one TAP line; the command's output as diagnostics on
# failure.  A check that needs an earlier one's result says so in CMD.
check() {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then
    ok "$desc"
  else
    not_ok "$desc"
    printf '%s\n' "$out" | tail -40 | diag
  fi
}
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }

[[ $(id -u) == 0 ]] || skip_all "needs root (dpkg-buildpackage, debootstrap, a mount namespace)"
for tool in dpkg-buildpackage debootstrap unshare; do
  command -v "$tool" >/dev/null || skip_all "$tool is not installed (bash .ci/run package installs it)"
done

mkdir -p "$W" "$CACHE"
W=$(cd "$W" && pwd)

# ------------------------------------------------------------ the .deb

# A copy of the tree: dpkg-buildpackage writes its output to the parent of
# the source directory and its build tree into it.  The files git knows
# (and new ones it does not ignore), or, outside a git checkout, all but
# the build directories.
copy_tree() {
  rm -rf "$W/src" "$W"/*.deb "$W"/*.changes "$W"/*.buildinfo
  mkdir -p "$W/src"
  if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$SRC" && git ls-files -z -co --exclude-standard | grep -zv '^build' |
      tar --null -cf - -T -) | tar -xf - -C "$W/src"
  else
    tar -C "$SRC" --exclude='./build*' -cf - . | tar -xf - -C "$W/src"
  fi
}

build_deb() {
  copy_tree || return 1
  (cd "$W/src" && dpkg-buildpackage -us -uc -b) >"$W/dpkg-buildpackage.log" 2>&1 ||
    { tail -40 "$W/dpkg-buildpackage.log"; return 1; }
}

start=$SECONDS
check "dpkg-buildpackage -us -uc -b builds the .deb" build_deb
DEB=$(ls "$W"/sbx_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
[[ -n $DEB ]] || finish
echo "# .deb built in $((SECONDS - start)) s: $(basename "$DEB")"
VERSION=$(dpkg-deb -f "$DEB" Version)

# ships PATH...: each path is in the package.
ships() {
  local listing p missing=0
  listing=$(dpkg -c "$DEB" | awk '{print $6}' | sed 's,^\./,/,')
  for p in "$@"; do
    grep -qxF -- "$p" <<<"$listing" || { echo "not in the package: $p"; missing=1; }
  done
  return "$missing"
}
check "the package ships sbx, the bwrap link, man pages, completions, profiles, the AppArmor profile" \
  ships /usr/bin/sbx /usr/libexec/sbx/bwrap /usr/share/man/man1/sbx.1.gz /usr/share/man/man5/sbx-profile.5.gz \
  /usr/share/bash-completion/completions/sbx /usr/share/zsh/vendor-completions/_sbx \
  /usr/share/fish/vendor_completions.d/sbx.fish /usr/share/sbx/profiles/default.profile \
  /usr/share/sbx/profiles/base.inc /etc/apparmor.d/sbx

# Every file of profiles/ is shipped (the list in profiles/meson.build).
ships_all_profiles() {
  local f list=()
  for f in "$SRC"/profiles/*.profile "$SRC"/profiles/*.inc; do
    list+=("/usr/share/sbx/profiles/$(basename "$f")")
  done
  ships "${list[@]}"
}
check "every profile of profiles/ is in the package" ships_all_profiles

relations() {
  local depends recommends
  depends=$(dpkg-deb -f "$DEB" Depends)
  recommends=$(dpkg-deb -f "$DEB" Recommends)
  echo "Depends: $depends"
  echo "Recommends: $recommends"
  [[ $depends == *libseccomp2* && $depends == *libcap2* ]] || return 1
  [[ $recommends == *xdg-dbus-proxy* && $recommends == *"passt | slirp4netns"* ]]
}
check "Depends from shlibs (libcap2, libseccomp2); Recommends xdg-dbus-proxy, passt | slirp4netns" relations

if command -v lintian >/dev/null; then
  # Errors fail; warnings and notes are listed below (none today).
  lintian_clean() { lintian --fail-on error "${DEB%.deb}.changes"; }
  check "lintian: no errors" lintian_clean
  lintian "${DEB%.deb}.changes" 2>/dev/null | grep '^[WI]: ' | diag
else
  skip "lintian: no errors" "lintian is not installed"
fi

# The RPM: the spec parses, and where rpmbuild is there (Debian's rpm) it
# builds from a tarball of the same tree, with stand-ins for Fedora's
# %meson macros and without the build requirements check (Fedora's names
# mean nothing to this rpm database).  That checks %files against what
# `meson install` puts in place: a file installed but not listed fails.
if command -v rpmspec >/dev/null; then
  check "the RPM spec parses (rpmspec -P packaging/sbx.spec)" \
    rpmspec -P --define "_sourcedir $SRC" "$SRC/packaging/sbx.spec"
  build_rpm() {
    local v top=$W/rpm
    v=$(rpmspec -q --qf '%{version}\n' "$SRC/packaging/sbx.spec" | head -n 1)
    rm -rf "$top" && mkdir -p "$top"
    tar -C "$W/src" --exclude=./debian --exclude='./obj-*' --transform "s,^\.,sbx-$v," \
      -czf "$top/sbx-$v.tar.gz" . || return 1
    rpmbuild --nodeps --define "_topdir $top" --load "$SRC/packaging/rpm-macros.meson" \
      -ta "$top/sbx-$v.tar.gz" >"$W/rpmbuild.log" 2>&1 || { tail -30 "$W/rpmbuild.log"; return 1; }
    local files
    files=$(rpm -qlp "$top"/RPMS/*/sbx-"$v"-*.rpm) && grep -qx /usr/bin/sbx <<<"$files"
  }
  start=$SECONDS
  check "rpmbuild -ta builds the RPM from a tarball (stand-in %meson macros, --nodeps)" build_rpm
  echo "# RPM built in $((SECONDS - start)) s"
else
  skip "the RPM spec parses" "rpmspec is not installed (apt-get install rpm)"
fi

# ------------------------------------------------------------ the root

# What goes into the root besides minbase: what the .deb depends on (the
# first of each alternative, no versions), man-db for `man sbx`, and
# apparmor 3.0 (Debian 12's) to see that the shipped profile does not
# break the loading of the others.
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v '^$')
include=$(printf '%s\n' $deps man-db apparmor | sort -u | paste -sd, -)
key=$(printf '%s %s %s\n' "$SUITE" "$MIRROR" "$include" | sha256sum | cut -c1-12)
TARBALL=$CACHE/$SUITE-minbase-$key.tar

make_root_tarball() {
  local new=$W/root.new
  rm -rf "$new"
  # debootstrap mounts /proc and /sys in the root while it configures
  # packages: a private mount namespace takes them along if it fails.
  unshare -m --propagation private -- \
    debootstrap --variant=minbase --include="$include" "$SUITE" "$new" "$MIRROR" \
    >"$W/debootstrap.log" 2>&1 || { tail -30 "$W/debootstrap.log"; return 1; }
  rm -rf "$new"/var/cache/apt/archives/*.deb "$new"/var/lib/apt/lists/*_Packages
  tar -C "$new" --numeric-owner -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
  local rc=$?
  # Roots made for an older .deb (other dependencies) are not needed again.
  find "$CACHE" -maxdepth 1 -name "$SUITE-minbase-*.tar" ! -path "$TARBALL" -delete
  rm -rf "$new"
  return "$rc"
}

start=$SECONDS
if [[ -f $TARBALL ]]; then
  echo "# the $SUITE root from the cache: $TARBALL"
else
  command -v wget >/dev/null && wget -q -T 20 -t 2 -O /dev/null "$MIRROR/dists/$SUITE/InRelease" ||
    { skip "the Debian 12 root and the smoke test in it" "the Debian mirror $MIRROR cannot be reached (needed once per machine, for debootstrap)"; finish; }
  check "debootstrap --variant=minbase $SUITE (+ $include)" make_root_tarball
  [[ -f $TARBALL ]] || finish
  echo "# the $SUITE root made in $((SECONDS - start)) s, cached as $TARBALL"
fi

ROOT=$W/root
fresh_root() {
  rm -rf "$ROOT" && mkdir -p "$ROOT" && tar -C "$ROOT" --numeric-owner -xf "$TARBALL"
}
check "a fresh copy of the root" fresh_root
echo "# root ready in $((SECONDS - start)) s"

# in_root [--user NAME] SCRIPT: run SCRIPT with the root's /bin/sh, as root
# or as NAME, with the root as / of a private mount namespace.
in_root() {
  local user=
  if [[ $1 == --user ]]; then user=$2; shift 2; fi
  unshare -m --propagation private -- /bin/bash -c '
    set -e
    r=$1 user=$2 script=$3
    mount --bind "$r" "$r"
    mount -t proc proc "$r/proc"
    mount -t sysfs -o ro sysfs "$r/sys"
    mount --rbind /dev "$r/dev"
    mount -t tmpfs tmpfs "$r/tmp"
    cp "'"$DEB"'" "$r/tmp/"
    cd "$r"
    pivot_root . .
    umount -l .
    cd /
    if [ -n "$user" ]; then
      exec env -i PATH=/usr/bin:/bin LANG=C.UTF-8 /usr/sbin/runuser -u "$user" -- /bin/sh -ec "cd; $script"
    fi
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root /bin/sh -ec "$script"
  ' in_root "$ROOT" "$user" "$1"
}

check "dpkg -i installs the .deb in the fresh root" in_root 'dpkg -i /tmp/sbx_*.deb'

version_matches() {
  local out
  out=$(in_root 'sbx --version') || return 1
  echo "$out"
  [[ $out == "sbx $VERSION"* ]]
}
check "sbx --version says $VERSION" version_matches

check "a user (smoke) in the root" in_root 'useradd -m -s /bin/sh smoke && echo secret >~smoke/secret && chown smoke: ~smoke/secret'

# bubblewrap's command line, as the unprivileged user: new pid and network
# namespaces, the read-only root, through the bwrap name too.
bwrap_style() {
  local out
  out=$(in_root --user smoke '
    for b in sbx /usr/libexec/sbx/bwrap; do
      $b --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --unshare-all --die-with-parent -- /bin/sh -c "
        echo pid=\$\$ uid=\$(id -u)
        grep -c : /proc/net/dev
        touch /usr/x 2>/dev/null && echo wrote /usr || echo /usr read-only"
    done') || { echo "$out"; return 1; }
  echo "$out"
  [[ $out == "pid=2 uid=1000"$'\n'"1"$'\n'"/usr read-only"$'\n'"pid=2 uid=1000"$'\n'"1"$'\n'"/usr read-only" ]]
}
check "a bubblewrap-style sandbox as an unprivileged user (sbx and \$libexecdir/sbx/bwrap)" bwrap_style

# The shipped default profile, as the unprivileged user: a private home
# (the secret stays outside), the system read-only, no network.
profile_run() {
  local out
  out=$(in_root --user smoke '
    sbx --profile default /bin/sh -c "
      cat ~/secret 2>/dev/null || echo no secret
      touch /usr/x 2>/dev/null && echo wrote /usr || echo /usr read-only
      grep -c : /proc/net/dev"') || { echo "$out"; return 1; }
  echo "$out"
  [[ $out == "no secret"$'\n'"/usr read-only"$'\n'"1" ]]
}
check "sbx --profile default as an unprivileged user: private home, read-only /usr, no network" profile_run

man_page() {
  local out
  out=$(in_root 'MANPAGER=cat MANWIDTH=80 man sbx; MANPAGER=cat man sbx-profile | head -n 5') || { echo "$out"; return 1; }
  grep -q '^NAME' <<<"$out" && grep -q 'sbx' <<<"$out" && grep -q 'sbx-profile' <<<"$out"
}
check "man sbx and man sbx-profile (man-db in the root)" man_page

# Debian 12's AppArmor (3.0) cannot parse the profile (abi/4.0, userns):
# postinst disabled it, so loading /etc/apparmor.d as at boot still works.
apparmor_disabled() {
  in_root '
    test "$(readlink /etc/apparmor.d/disable/sbx)" = ../sbx
    # (a copy: the parser skips a disabled profile even when named)
    cp /etc/apparmor.d/sbx /tmp/sbx.apparmor
    ! apparmor_parser -Q -K /tmp/sbx.apparmor 2>/dev/null || { echo "AppArmor 3 parsed the profile?"; exit 1; }
    apparmor_parser -Q -K -b /etc/apparmor.d /etc/apparmor.d'
}
check "AppArmor 3.0: the profile is disabled by postinst, the boot-time load of /etc/apparmor.d succeeds" apparmor_disabled

# Where the parser knows abi/4.0 (an upgrade to AppArmor 4, simulated by
# the file alone), configuring again lifts postinst's own disable link; a
# link of the administrator's (another target) stays.
apparmor4_lifts() {
  # (aa-enabled stubbed to "no": nothing is loaded into the host's kernel;
  # securityfs is not mounted in the root either)
  in_root '
    mkdir /tmp/noaa && printf "#!/bin/sh\nexit 1\n" >/tmp/noaa/aa-enabled && chmod +x /tmp/noaa/aa-enabled
    export PATH=/tmp/noaa:$PATH
    touch /etc/apparmor.d/abi/4.0
    /var/lib/dpkg/info/sbx.postinst configure
    test ! -L /etc/apparmor.d/disable/sbx
    ln -s /etc/apparmor.d/sbx /etc/apparmor.d/disable/sbx
    /var/lib/dpkg/info/sbx.postinst configure
    test -L /etc/apparmor.d/disable/sbx
    rm /etc/apparmor.d/abi/4.0 /etc/apparmor.d/disable/sbx
    /var/lib/dpkg/info/sbx.postinst configure
    test "$(readlink /etc/apparmor.d/disable/sbx)" = ../sbx'
}
check "AppArmor 4.0 (abi/4.0): configure lifts postinst's disable link, not an administrator's" apparmor4_lifts

check "dpkg --purge removes the package and the disable link" in_root '
  dpkg --purge sbx
  test ! -e /usr/bin/sbx && test ! -e /etc/apparmor.d/sbx && test ! -L /etc/apparmor.d/disable/sbx'

rm -rf "$ROOT"
finish
