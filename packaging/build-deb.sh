#!/usr/bin/env bash
# `make deb`: dist/cme-kiosk_<version>_amd64.deb (the desk) and dist/cme-kiosk-server_<version>_amd64.deb
# (the platform and the venue relay), built with dh-virtualenv from a copy of this checkout.
# Environment: DEB_VERSION overrides the version (default: pyproject's version + the commit count,
# so a build from a later commit upgrades an earlier one); DEB_BUILD_PROFILES=pkg.cme-kiosk.noserver
# builds the desk alone; DEB_OUT and DEB_WORK put the .debs and the build tree elsewhere than
# dist/ and build/deb/. Needs the build and deb groups of scripts/bootstrap.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

upstream=$(/usr/bin/python3 -c \
  'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
if [[ -z "${DEB_VERSION:-}" ]]; then
  if count=$(git rev-list --count HEAD 2>/dev/null); then
    DEB_VERSION="$upstream+$count"
  else
    DEB_VERSION=$upstream
  fi
fi

# Out of tree: dpkg-buildpackage writes its .debs into the parent directory and dh-virtualenv
# builds inside the source (build/, *.egg-info, debian/<package>/): none of that lands in the
# checkout, and the developer's .venv is never seen. The copy is the tracked and new files.
work=${DEB_WORK:-$root/build/deb}
src="$work/cme-kiosk-$DEB_VERSION"
rm -rf "$work"
out=${DEB_OUT:-$root/dist}
mkdir -p "$src" "$out"
git ls-files -z --cached --others --exclude-standard \
  | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
  | tar --null -T - -cf - | tar -xf - -C "$src"
cp -a packaging/debian "$src/debian"
when=$(git log -1 --format=%cD 2>/dev/null || date -R)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "no git")
cat > "$src/debian/changelog" <<CHANGES
cme-kiosk ($DEB_VERSION) unstable; urgency=medium

  * Built from the cme-kiosk source ($commit).

 -- cme-kiosk developers <cme-kiosk@packages.invalid>  $when
CHANGES

# A wheel cache of its own, shared by every checkout on this machine: wheels built from sdists
# (pyscard, evdev) by another interpreter (a developer's pyenv) would carry that interpreter's
# RUNPATH into the package.
export PIP_CACHE_DIR=${PIP_CACHE_DIR_DEB:-${XDG_CACHE_HOME:-$HOME/.cache}/cme-kiosk/pip-deb}
unset VIRTUAL_ENV
started=$(date +%s)
(cd "$src" && dpkg-buildpackage -b -us -uc --no-pre-clean)
for deb in "$work"/*.deb; do
  mv -f "$deb" "$out/"
  echo "built $out/$(basename "$deb")"
done
echo "make deb: $(( $(date +%s) - started )) s"
