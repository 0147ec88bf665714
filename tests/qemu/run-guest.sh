#!/bin/bash
# tests/qemu/run-guest.sh SBX SCRIPT [CACHE]: boot a Debian cloud kernel
# under qemu (software emulation is enough) with a small initramfs holding
# busybox, SBX and its shared libraries, and run SCRIPT in it as uid 1000
# from a cgroup v2 delegated to that user -- the way systemd delegates a
# unit with Delegate=yes -- with every controller available (the guest
# mounts only cgroup2, unlike a hybrid host).  What SCRIPT prints comes
# back on stdout (the serial console, \r removed).
#
# CACHE (default: qemu-cache beside SBX) keeps the kernel, downloaded once
# with `apt-get download` and unpacked (never installed), and the
# initramfs, rebuilt when SBX, SCRIPT or this file changes.
#
# Exit status: 0 when the guest ran SCRIPT to its end (SCRIPT's own status
# is in its output), 77 when qemu or the kernel can't be had (the reason on
# stderr), 1 otherwise.  Environment: SBX_QEMU_TIMEOUT (seconds, default
# 120), SBX_QEMU_KERNEL_PKG (default linux-image-cloud-amd64).
set -euo pipefail

sbx=$(readlink -f "$1")
script=$(readlink -f "$2")
cache=${3:-$(dirname "$sbx")/qemu-cache}
self=$(readlink -f "$0")
timeout_s=${SBX_QEMU_TIMEOUT:-120}
kpkg=${SBX_QEMU_KERNEL_PKG:-linux-image-cloud-amd64}

skip() { echo "$*" >&2; exit 77; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"
busybox=$(command -v busybox) || skip "busybox not installed (Debian: busybox-static)"
bbldd=$(ldd "$busybox" 2>&1 || true)
[[ $bbldd == *"not a dynamic"* || $bbldd == *"statically linked"* ]] || skip "$busybox is not static (Debian: busybox-static)"
command -v cpio >/dev/null || skip "cpio not installed"
mkdir -p "$cache"

# ---------------------------------------------------------------- kernel

# The kernel: the metapackage names the real one (linux-image-VERSION-cloud-amd64);
# only its /boot is unpacked (cgroup2, its controllers, devtmpfs and the
# serial console are built in), and one module: brd, the RAM disk the io.max
# check reads (CONFIG_BLK_DEV_RAM=m in Debian's cloud kernel; no
# dependencies; decompressed if the package ships it compressed, since
# busybox insmod takes a plain .ko).
fetch_kernel() {
  local real dl deb
  real=$(apt-cache depends "$kpkg" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
  [[ -n $real ]] || return 1
  dl=$(mktemp -d "$cache/dl.XXXXXX")
  chmod 755 "$dl" # apt's _apt user downloads into it
  (cd "$dl" && apt-get download -q "$real" >/dev/null 2>&1) || { rm -rf "$dl"; return 1; }
  deb=$(ls "$dl"/*.deb)
  mkdir -p "$dl/x"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dl/x" --wildcards './boot/vmlinuz-*' './lib/modules/*/brd.ko*' 2>/dev/null ||
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dl/x" --wildcards './boot/vmlinuz-*'
  local ko
  ko=$(find "$dl/x/lib" -name 'brd.ko*' 2>/dev/null | head -n1)
  case $ko in
    *.ko) cp "$ko" "$cache/brd.ko" ;;
    *.ko.xz) xz -dc "$ko" >"$cache/brd.ko" ;;
    *.ko.zst) zstd -qdc "$ko" >"$cache/brd.ko" ;;
    *.ko.gz) gzip -dc "$ko" >"$cache/brd.ko" ;;
    *) : >"$cache/brd.ko" ;; # none: the io check says so
  esac
  cp "$dl"/x/boot/vmlinuz-* "$cache/vmlinuz.tmp" && mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
  basename "$deb" >"$cache/vmlinuz.from"
  rm -rf "$dl"
}
# (A cache from before brd.ko was taken has no brd.ko: fetched again.)
[[ -s $cache/vmlinuz && -e $cache/brd.ko ]] || fetch_kernel || skip "could not download and unpack the kernel ($kpkg) with apt-get download"

# ------------------------------------------------------------- initramfs

# /init runs in the initramfs (rootfs), where pivot_root is refused: it
# copies itself onto a tmpfs and switch_roots there, then /init2 sets up.
write_init() {
  cat >"$1/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t tmpfs -o mode=755 root /newroot
for d in /*; do [ "$d" = /newroot ] || cp -a "$d" /newroot/; done
exec switch_root /newroot /init2
EOF
  cat >"$1/init2" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs -o mode=1777 tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# The RAM disk for the io.max check: 64 MiB, readable by uid 1000.
[ -s /brd.ko ] && insmod /brd.ko rd_nr=1 rd_size=65536 2>/tmp/brd.err && chmod 644 /dev/ram0
cg=/sys/fs/cgroup
echo "+memory +pids +cpu +io" >$cg/cgroup.subtree_control
mkdir -p $cg/user.slice/u1000
echo "+memory +pids +cpu +io" >$cg/user.slice/cgroup.subtree_control
u=$cg/user.slice/u1000
chown 1000:1000 $u $u/cgroup.procs $u/cgroup.subtree_control $u/cgroup.threads
mkdir -p /tmp/run-1000 /home/u
chown 1000:1000 /tmp/run-1000 /home/u
chmod 700 /tmp/run-1000
echo "SBXQ boot $(cut -d' ' -f1 /proc/uptime)"
sh -c "echo \$\$ >$u/cgroup.procs; exec su -s /bin/sh -c 'cd /home/u; HOME=/home/u XDG_RUNTIME_DIR=/tmp/run-1000 CG=$u sh /test.sh' u" </dev/null 2>&1
echo "SBXQ end $?"
poweroff -f
EOF
  chmod 755 "$1/init" "$1/init2"
}

build_initrd() {
  local st lib
  st=$(mktemp -d "$cache/initrd.XXXXXX")
  mkdir -p "$st"/{bin,etc,proc,sys,dev,tmp,newroot,home}
  cp "$busybox" "$st/bin/busybox"
  for a in $("$busybox" --list); do [[ -e $st/bin/$a ]] || ln -s busybox "$st/bin/$a"; done
  cp "$sbx" "$st/bin/sbx"
  cp "$cache/brd.ko" "$st/brd.ko"
  # its shared libraries and the dynamic loader, at their own paths
  for lib in $(ldd "$sbx" | grep -o '/[^ ]*'); do
    mkdir -p "$st$(dirname "$lib")"
    cp -L "$lib" "$st$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:u:/home/u:/bin/sh\n' >"$st/etc/passwd"
  printf 'root:x:0:\nu:x:1000:\n' >"$st/etc/group"
  cp "$script" "$st/test.sh"
  write_init "$st"
  (cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$cache/initrd.tmp"
  mv "$cache/initrd.tmp" "$cache/initrd"
  rm -rf "$st"
}
# Rebuilt when its inputs change (the checksums of sbx, the script and this
# file: a newer mtime alone would miss a switch to another, older script).
key=$(cat "$sbx" "$script" "$self" "$cache/brd.ko" | sha256sum | cut -d' ' -f1)
if [[ ! -s $cache/initrd || $(cat "$cache/initrd.key" 2>/dev/null) != "$key" ]]; then
  build_initrd
  echo "$key" >"$cache/initrd.key"
fi

# ----------------------------------------------------------------- boot

# No network device at all; two CPUs so the busy loop and the monitor
# both run; TCG when there is no /dev/kvm.
accel=tcg
[[ -w /dev/kvm ]] && accel=kvm:tcg
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout -k 5 "$timeout_s" qemu-system-x86_64 -machine q35,accel=$accel -m 512 -smp 2 -nographic -no-reboot \
  -nic none -kernel "$cache/vmlinuz" -initrd "$cache/initrd" \
  -append "console=ttyS0 quiet panic=-1" </dev/null >"$out" 2>&1 || true
tr -d '\r' <"$out"
grep -q '^SBXQ end' <(tr -d '\r' <"$out") || exit 1
