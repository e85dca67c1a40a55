#!/bin/sh
# The runtime base's root, made from packages that mmdebstrap extracted into a directory:
#   runtime-root.sh packages DIR   as mmdebstrap's extract hook, while the archives are still there
#   runtime-root.sh finish DIR     afterwards: a distroless-style root holding only what Node needs
#                                  (glibc, libstdc++, libgcc), the CA bundle, the time zones and an
#                                  account table with the non-root user
set -eu
phase=${1:?usage: runtime-root.sh packages|finish DIR}
cd "${2:?usage: runtime-root.sh packages|finish DIR}"

if [ "$phase" = packages ]; then
  # The package list in distroless's layout (one control file per package), which image scanners read.
  mkdir -p var/lib/dpkg/status.d
  for deb in var/cache/apt/archives/*.deb; do
    # shellcheck disable=SC2016 # ${Package} is dpkg-deb's field syntax, not the shell's
    package=$(dpkg-deb --showformat='${Package}' -W "$deb")
    dpkg-deb --field "$deb" Package Version Architecture Source Maintainer Homepage > "var/lib/dpkg/status.d/$package"
  done
  exit 0
fi
[ "$phase" = finish ] || { echo "runtime-root.sh: unknown phase $phase" >&2; exit 2; }

# update-ca-certificates would need a shell and openssl in the image; its bundle is just the
# certificates concatenated.
mkdir -p etc/ssl/certs
find usr/share/ca-certificates/mozilla -name '*.crt' | sort | xargs cat > etc/ssl/certs/ca-certificates.crt

# ca-certificates pulls in openssl, debconf and perl modules for its maintainer scripts, none of
# which run here; nor does anything else that needs a shell.
rm -rf usr/bin usr/sbin usr/lib/ssl etc/ssl/private \
  usr/lib/x86_64-linux-gnu/engines-3 usr/lib/x86_64-linux-gnu/ossl-modules usr/lib/x86_64-linux-gnu/gconv \
  usr/lib/x86_64-linux-gnu/libssl.so* usr/lib/x86_64-linux-gnu/libcrypto.so* \
  usr/share/perl5 usr/share/debconf usr/share/doc usr/share/man usr/share/lintian usr/share/bash-completion \
  usr/share/gdb usr/share/pixmaps usr/share/gcc usr/share/ca-certificates \
  etc/apt etc/dpkg etc/ca-certificates etc/ca-certificates.conf etc/debconf.conf etc/fstab etc/hostname etc/resolv.conf \
  var/cache var/log var/lib/apt var/lib/dpkg/info var/lib/dpkg/status var/lib/dpkg/[a-rt-z]*
# Of the packages whose files went above, nothing is left to scan.
rm -f var/lib/dpkg/status.d/openssl var/lib/dpkg/status.d/libssl3 var/lib/dpkg/status.d/debconf

# The container runtime mounts /dev and writes hostname and resolv.conf itself.
rm -rf dev/*
mkdir -p usr/bin var/cache var/log

# Numeric ids are what the kernel checks; the names keep tools that print them readable.
cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
crashdesk:x:10001:10001:crashdesk:/home/crashdesk:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
crashdesk:x:10001:
nogroup:x:65534:
GROUP
printf 'hosts: files dns\n' > etc/nsswitch.conf
mkdir -p home/crashdesk root
chown 10001:10001 home/crashdesk
chmod 1777 tmp
ln -sf /usr/share/zoneinfo/Etc/UTC etc/localtime
printf 'Etc/UTC\n' > etc/timezone
