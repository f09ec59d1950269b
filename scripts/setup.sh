#!/usr/bin/env bash
# Idempotent machine setup for discrobot: the Debian tools it runs and tests against, then the
# npm dependencies from the committed lock file. Safe to run again; does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runtime: xorriso (mastering, burning, verification), socat (robot pty).
# Tests: dcmtk (storescu/echoscu/dcmdump/dcmmkdir), dicom3tools (dciodvfy/dcdirdmp),
# python3-pydicom (independent reader; Debian's /usr/bin/python3), chromium (dashboard tests), strace,
# genisoimage (isoinfo), tesseract-ocr with its deu and jpn data (label OCR: umlauts, CJK);
# fonts-noto-cjk, fonts-dejavu-core, fonts-tlwg-garuda-ttf (Thai) and librsvg2-bin render labels.
packages=(xorriso socat dcmtk dicom3tools python3-pydicom python3-numpy chromium strace genisoimage tesseract-ocr fonts-noto-cjk fonts-dejavu-core librsvg2-bin tesseract-ocr-jpn tesseract-ocr-deu fonts-tlwg-garuda-ttf)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: reinstall only when the lock file changed since the last install.
stamp=node_modules/.discrobot-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
