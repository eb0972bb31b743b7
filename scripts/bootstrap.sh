#!/usr/bin/env bash
# Install the Debian/Ubuntu packages cme-kiosk needs, idempotently.
# Usage: scripts/bootstrap.sh runtime|build|test|kiosk|deb ...
#        scripts/bootstrap.sh --list GROUP ...   (print the names, one a line: debian/rules uses
#        runtime and kiosk as the desk package's Depends)
# Without root (and without sudo) it prints the exact apt command to run instead.
set -euo pipefail

# What the desk loads: zbar, fonts (and fc-list, which the doctor runs), the xcb and Wayland
# libraries of Qt's platform plugins; alsa-utils: the desk plays its tones with aplay (ALSA
# directly, or through the desktop's sound server via ALSA's default device): docs/desk.md "Sounds".
runtime=(libzbar0 pcscd fonts-wqy-microhei alsa-utils
         libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0
         libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
         libwayland-client0 libwayland-cursor0 libwayland-egl1 libxkbcommon0 fontconfig
         libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0)
build=(gcc swig python3-dev python3-venv libpcsclite-dev pkg-config)
# The boot-to-desk session: the cage compositor (Debian's cage needs Xwayland to start).
kiosk=(cage xwayland)
# Building the .deb packages (make deb) and the install test's Debian 12 chroot (make test-slow).
deb=(dh-virtualenv debhelper lintian debootstrap binutils)  # binutils: readelf (packaging/trim-venv.py)
# Test only: vpcd listens on all interfaces, so the kiosk's own install never pulls it in.
# pulseaudio + libasound2-plugins: a private sound server with a null sink records what aplay
# plays through ALSA's "pulse" device (this machine has no sound card); pulseaudio-utils: parec.
# grim: the screenshot of the kiosk-mode desk under headless cage (tests/packaging/test_deb.py).
testonly=(xvfb vsmartcard-vpcd postgresql pulseaudio pulseaudio-utils libasound2-plugins grim)

list=false
if [[ "${1:-}" == "--list" ]]; then
  list=true
  shift
fi
wanted=()
for group in "$@"; do
  case "$group" in
    runtime) wanted+=("${runtime[@]}") ;;
    build) wanted+=("${build[@]}") ;;
    kiosk) wanted+=("${kiosk[@]}") ;;
    deb) wanted+=("${deb[@]}") ;;
    test) wanted+=("${testonly[@]}") ;;
    *) echo "bootstrap: unknown group '$group' (runtime, build, kiosk, deb, test)" >&2; exit 2 ;;
  esac
done
if $list; then
  printf '%s\n' "${wanted[@]}"
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "bootstrap: system packages for [$*] already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  apt=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get)
else
  echo "bootstrap: these packages are missing: ${missing[*]}" >&2
  echo "bootstrap: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
# The packaged pcscd service would own the default socket; tests run their own private pcscd,
# and the kiosk's install enables the system one deliberately (packaging/), so stop it here.
if [[ " ${missing[*]} " == *" vsmartcard-vpcd "* ]] && command -v systemctl >/dev/null; then
  systemctl stop pcscd.socket pcscd.service 2>/dev/null || true
fi
