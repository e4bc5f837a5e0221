#!/bin/sh
# Install the system packages the reports and the tests need (PDF tools, text layout, a
# browser), only when missing.
#
#   poppler-utils        pdftoppm, pdftotext, pdffonts, pdfinfo: tests/report/ inspects the
#                        PDFs the report renderer writes (pages as images, text, fonts, tags).
#   libpango-1.0-0, libpangoft2-1.0-0  text layout for WeasyPrint (the PDF renderer)
#   libharfbuzz-subset0  fast font subsetting for WeasyPrint (without it WeasyPrint falls
#                        back to fontTools: same PDFs' validity, about 0.5 s slower per report).
#   chromium             the browser the web app's end-to-end tests drive headless through
#                        Playwright (tests/web/test_web_browser.py), at /usr/bin/chromium;
#                        Playwright's own browser download is never used.
#   libreoffice-calc-nogui  headless LibreOffice: tests/hostile/ opens scores.xlsx and
#                        scores.csv with it and checks that no cell became a formula.
#   npm                  installs axe-core (package.json), the accessibility checker the
#                        report and web tests inject into pages.
#   postgresql           the server the review store's PostgreSQL tests start a throwaway
#                        cluster of (initdb/pg_ctl in a temporary folder; tests/review/).
#
# Uses apt-get, and only as root; otherwise it prints what to install and exits 0, so that
# `make test` can go on (the PDF and browser checks then skip, saying why — or fail under
# CI=true).
set -eu

packages=""
for tool in pdftoppm pdftotext pdffonts pdfinfo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        packages="poppler-utils"
        break
    fi
done
if ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0'; then
    packages="$packages libharfbuzz-subset0"
fi
# WeasyPrint's own libraries (text layout); present on most desktops, not on every server.
if ! ldconfig -p 2>/dev/null | grep -q 'libpango-1\.0\.so\.0'; then
    packages="$packages libpango-1.0-0"
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0'; then
    packages="$packages libpangoft2-1.0-0"
fi
# The browser for the web app's end-to-end tests.
if [ ! -x /usr/bin/chromium ]; then
    packages="$packages chromium"
fi
# LibreOffice opens the batch's spreadsheets in the tests (no formula may come alive).
if ! command -v libreoffice >/dev/null 2>&1 && ! command -v soffice >/dev/null 2>&1; then
    packages="$packages libreoffice-calc-nogui"
fi
# npm installs the outside checkers the tests run (axe-core, pinned in package-lock.json).
if ! command -v npm >/dev/null 2>&1; then
    packages="$packages npm"
fi
# PostgreSQL: the review store's tests start their own throwaway server with initdb.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1
then
    packages="$packages postgresql"
fi
packages=$(echo "$packages" | sed 's/^ *//')

if [ -z "$packages" ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "scripts/system-deps.sh: missing system packages: $packages" >&2
    echo "  install them as root with: apt-get install -y --no-install-recommends $packages" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/system-deps.sh: missing $packages and no apt-get here; install them with" \
         "this system's package manager." >&2
    exit 0
fi

echo "scripts/system-deps.sh: installing $packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $packages >/dev/null
