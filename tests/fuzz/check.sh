#!/bin/sh
# The make check runner of a fuzzing build: a libFuzzer target replays its
# stored corpus once (-runs=0) instead of fuzzing until stopped; any other
# test runs as it is.  The corpora sit next to this script.
corpus=$(dirname -- "$0")/corpus
case ${1##*/} in
fuzz_*)	exec "$1" -runs=0 "$corpus/${1##*/fuzz_}" ;;
*)	exec "$@" ;;
esac
