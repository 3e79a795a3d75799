#!/usr/bin/env bash
# Builds and runs Examples/ScoreText, a package that depends on a tagged version of charrnn:
# clones this repository's committed HEAD into a temporary folder, tags it 1.0.0, trains a tiny
# checkpoint with the charrnn CLI, then scores a sentence with the example and checks that the
# library gives the same figure as `charrnn eval`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git clone --quiet "$root" "$work/charrnn"
git -C "$work/charrnn" tag 1.0.0

charrnn=${CHARRNN:-$root/.build/debug/charrnn}
[ -x "$charrnn" ] || (cd "$root" && swift build --product charrnn)
text="$work/text.txt"
for i in $(seq 200); do echo "To be, or not to be, that is the question."; done > "$text"
"$charrnn" train "$text" --arch gru --layers 1 --hidden 32 --steps 30 --batch 8 --seq 32 \
  --checkpoint-dir "$work/runs" --name tiny --quiet
checkpoint="$work/runs/tiny/best.ckpt"
sentence="To be, or not to be: that is the question!"

# Build a copy, so that nothing (Package.resolved, .build) is written into the repository.
cp -R "$root/Examples/ScoreText" "$work/ScoreText"
cd "$work/ScoreText"
CHARRNN_URL="file://$work/charrnn" swift build --scratch-path "$work/build" -q
line=$("$work/build/debug/score-text" "$checkpoint" "$sentence")
echo "$line"
printf '%s' "$sentence" > "$work/sentence.txt"
expected=$("$charrnn" eval "$checkpoint" --text "$work/sentence.txt" --streams 1 --format json |
  python3 -c 'import json, sys; print("%.4f" % json.load(sys.stdin)[0]["natsPerCharacter"])')
got=$(sed -E 's/^[^:]*: ([0-9.]+) nats.*/\1/' <<<"$line")
if [ "$got" != "$expected" ]; then
  echo "error: the example scored $got nats/char, charrnn eval $expected" >&2
  exit 1
fi
echo "example OK: the library, used as a versioned dependency, matches charrnn eval ($expected nats/char)"
