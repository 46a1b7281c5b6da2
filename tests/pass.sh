# pass.sh PASS: the start that suites.sh and unit-pass.sh share, sourced
# with the pass's name: works from the top of the tree, with $pass the
# name and $dir its folder build/suites/PASS, emptied.
# shellcheck shell=bash disable=SC2034
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

pass=$1
dir=build/suites/$pass
rm -rf "$dir"
mkdir -p "$dir"
