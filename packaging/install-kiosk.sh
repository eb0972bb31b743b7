#!/usr/bin/env bash
# Install the desk on this machine from a source checkout (Debian 12), as root: build the desk
# package from the checkout (make deb, desk only) and install it with apt, which also fetches its
# dependencies. The result is the same as installing a released .deb (docs/install.md): the desk
# unit on tty1, the cme-kiosk user, the udev rules, /etc/cme-kiosk/config.toml.
# Usage: packaging/install-kiosk.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "run as root: sudo $0" >&2
  exit 1
fi
cd "$here"
DEB_BUILD_PROFILES=pkg.cme-kiosk.noserver make deb
version=$(dpkg-parsechangelog -l build/deb/cme-kiosk-*/debian/changelog -S Version 2>/dev/null \
  || ls -t dist/cme-kiosk_*_amd64.deb | head -1 | sed 's/.*cme-kiosk_\(.*\)_amd64.deb/\1/')
apt-get install -y "./dist/cme-kiosk_${version}_amd64.deb"
echo "installed cme-kiosk $version. Next: edit /etc/cme-kiosk/config.toml, cme-kiosk enroll …,"
echo "cme-kiosk doctor, then reboot into the desk (docs/install.md)."
