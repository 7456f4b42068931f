#!/usr/bin/env bash
# Every tunable macro of socketio.h (an `#ifndef SIO_X` followed by its
# default `#define SIO_X`) must appear in the header's own table (its top
# comment, section 3) and in the README's table, so that neither list can
# fall behind the code. Run by `make test`; prints what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
hdr=socketio.h
macros=$(awk '/^#ifndef SIO_[A-Z0-9_]+$/ { name = $2; next }
              name && $0 ~ "^#define " name "[ (]" { print name } { name = "" }' "$hdr" | sort -u)
manual=$(awk 'NR == 1, /^\*\//' "$hdr")
missing=0
for m in $macros; do
    if ! grep -qw -- "$m" <<<"$manual"; then
        echo "check-macros: $m has a default in $hdr but is not in its macro table (top comment)"
        missing=1
    fi
    if ! grep -q -- "\`$m\`\|\`$m(" README.md && ! grep -qw -- "$m" <(grep '^|' README.md); then
        echo "check-macros: $m has a default in $hdr but is not in README.md's macro table"
        missing=1
    fi
done
n=$(wc -w <<<"$macros")
if (( missing )); then exit 1; fi
echo "check-macros: all $n tunable macros are in both tables"
