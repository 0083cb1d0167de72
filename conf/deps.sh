#!/bin/sh
# conf/deps.sh: make sure the Debian packages the project needs are here.
#
# As root (CI, a fresh machine) the missing packages are installed with
# apt-get.  As a normal user the one apt-get line needed is printed and
# the script fails, so nothing half-works.
set -eu

# Build and run: Kore 4.1 (built with PGSQL and TASKS), PostgreSQL 15,
# the libraries of the stack.
PKGS="kore make gcc pkg-config libc6-dev libpq-dev postgresql-15
postgresql-client-15 libcmark-dev libgd-dev libjpeg62-turbo-dev libpng-dev
libwebp-dev libsodium-dev libjansson-dev libqrencode-dev
ca-certificates"
# Tests and benchmarks: Node.js for the HTTP tests, Chromium for the
# browser tests (driven by playwright-core from npm), clang for the
# fuzzers, wrk and vipsthumbnail for `make bench`, nginx for the tests
# behind a reverse proxy (tests/proxy.sh runs its own copy; the
# package's service is not used).
PKGS="$PKGS chromium clang libclang-rt-14-dev wrk libvips-tools curl nginx"
# A Chinese font for Chromium: without one every Chinese character of the
# browser tests is drawn as a box, in their measurements and screenshots.
PKGS="$PKGS fonts-wqy-microhei"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Node.js may come from Debian or from elsewhere; only a missing `node`
# or `npm` command asks for Debian's.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Missing Debian packages. Install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
