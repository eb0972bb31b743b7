#!/usr/bin/env bash
# Install cme-kiosk on a desk machine (Debian 12 / Ubuntu), as root.
# Runtime and build packages only: the test-only packages (vsmartcard-vpcd, which listens on all
# interfaces; PostgreSQL; Xvfb) are never installed here.
# Usage: packaging/install-kiosk.sh [--user NAME]   (default user: cme-kiosk)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
user=cme-kiosk
[[ "${1:-}" == "--user" ]] && user=$2
if [[ $(id -u) -ne 0 ]]; then
  echo "run as root: sudo $0 $*" >&2
  exit 1
fi

"$here/scripts/bootstrap.sh" runtime build
getent group cme-kiosk >/dev/null || groupadd --system cme-kiosk
id "$user" >/dev/null 2>&1 || useradd --create-home --gid cme-kiosk "$user"
usermod -aG cme-kiosk "$user"
# The sound card directly (/dev/snd/*) when the desk runs under cage with no sound server.
usermod -aG audio "$user"

python3 -m venv /opt/cme-kiosk/venv
/opt/cme-kiosk/venv/bin/pip install -q -c "$here/constraints.txt" --upgrade pip setuptools wheel
/opt/cme-kiosk/venv/bin/pip install -q -c "$here/constraints.txt" "$here[pcsc,zbar,evdev,face]"
/opt/cme-kiosk/venv/bin/pip install -q -c "$here/constraints.txt" --no-deps face_recognition click
/opt/cme-kiosk/venv/bin/python "$here/scripts/check_face_models.py" | grep -q '^face models: OK' \
  || echo "warning: face models do not load: face check-in will be disabled (see cme-kiosk doctor)"

install -D -m 0644 "$here/packaging/udev/70-cme-kiosk.rules" /etc/udev/rules.d/70-cme-kiosk.rules
udevadm control --reload 2>/dev/null && udevadm trigger 2>/dev/null || true
systemctl enable --now pcscd.socket 2>/dev/null || true

home=$(getent passwd "$user" | cut -d: -f6)
install -D -m 0644 -o "$user" -g cme-kiosk "$here/packaging/systemd/cme-kiosk.service" \
  "$home/.config/systemd/user/cme-kiosk.service"
echo "installed. As $user: cme-kiosk doctor; then systemctl --user enable --now cme-kiosk"
