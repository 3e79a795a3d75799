#!/usr/bin/env bash
# The adversarial suite: runs the built charrnn against a table of hostile inputs and conditions.
#
#   Tests/adversarial.sh [path/to/charrnn]      (default .build/debug/charrnn, built if missing)
#
# Every case runs in a scratch folder of its own, with a time limit, and must end one of two ways:
# - refused: exit status 1..127 and exactly one line on stderr, starting "charrnn: error: ";
# - accepted: exit status 0 (and, where given, output matching a pattern).
# Never a signal (status >= 128), never the time limit. After every case the shared inputs (a
# corpus, checkpoints, a run folder) must be unchanged, nothing may appear beside the scratch
# folders, and /dev/null must still be a character device. Ends with "N passed, M failed".
set -uo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
charrnn=${1:-$root_dir/.build/debug/charrnn}
if [ ! -x "$charrnn" ]; then (cd "$root_dir" && swift build --product charrnn >/dev/null) || exit 1; fi
charrnn=$(cd "$(dirname "$charrnn")" && pwd)/$(basename "$charrnn")
limit=${CHARRNN_CASE_SECONDS:-60}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
in="$work/inputs"          # shared inputs, read-only for every case
mkdir -p "$in"

# ---- inputs ---------------------------------------------------------------------------------
python3 - "$in/corpus.txt" <<'EOF'
import random, sys
random.seed(7)
words = "the cat a dog sees likes my friend river small bird red door his hat moon".split()
lines = [" ".join(random.choice(words) for _ in range(random.randint(3, 9))).capitalize() + "." for _ in range(900)]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
head -c 3000 "$in/corpus.txt" > "$in/text.txt"
printf 'x' > "$in/one.txt"
: > "$in/empty.txt"
printf 'ab\xffcd' > "$in/invalid.txt"
printf '\xef\xbb\xbf' > "$in/bom-only.txt"
printf 'ZZZZQQQQ' > "$in/unknown.txt"
mkdir -p "$in/folder"
mkfifo "$in/fifo"
ln -s loop-b "$in/loop-a"; ln -s loop-a "$in/loop-b"
ln -s corpus.txt "$in/corpus-link.txt"
echo "not a checkpoint" > "$in/garbage.ckpt"
"$charrnn" train "$in/corpus.txt" --arch gru --layers 1 --hidden 24 --batch 8 --seq 24 --steps 40 \
  --checkpoint-dir "$in/runs" --name tiny --quiet 2>/dev/null || { echo "setup: training failed"; exit 1; }
"$charrnn" train "$in/corpus.txt" --arch lstm --layers 1 --hidden 16 --batch 8 --seq 24 --steps 20 \
  --checkpoint-dir "$in/runs" --name other --quiet 2>/dev/null || { echo "setup: training failed"; exit 1; }
rm -f "$in/runs/tiny/.lock" "$in/runs/other/.lock"
ckpt="$in/runs/tiny/best.ckpt"
ckpt2="$in/runs/other/best.ckpt"
head -c 2000 "$ckpt" > "$in/truncated.ckpt"
# A folder that is not a run's: a copy of tiny's latest.ckpt beside another run's best.ckpt and
# somebody's notes named metrics.jsonl; and an export's default name already taken.
mkdir -p "$in/models" "$in/ex"
cp "$in/runs/tiny/latest.ckpt" "$in/models/mine.ckpt"
cp "$in/runs/other/best.ckpt" "$in/models/best.ckpt"
echo "my notes, not a log" > "$in/models/metrics.jsonl"
cp "$ckpt" "$in/ex/m.ckpt"
echo "someone's notes" > "$in/ex/m-f32.ckpt"
"$charrnn" export "$ckpt" --dtype bf16 -o "$in/bf16.ckpt" 2>/dev/null
fingerprint() { (cd "$in" && find . -printf '%p %y %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }
before=$(fingerprint)

# ---- the runner -----------------------------------------------------------------------------
passed=0; failed=0; n=0
report() { failed=$((failed + 1)); echo "FAIL [$n] $1: $2"; }
# run EXPECT PATTERN ARGS…: EXPECT is "error" or "ok"; PATTERN (for ok) must match stdout+stderr.
run_case() {
  local expect=$1 pattern=$2; shift 2
  n=$((n + 1))
  local scratch="$work/case-$n" desc="charrnn $*"
  mkdir -p "$scratch"
  local out err status
  out=$(cd "$scratch" && timeout -k 5 "$limit" "$charrnn" "$@" 2>"$scratch/.stderr" <"${STDIN:-/dev/null}")
  status=$?
  err=$(cat "$scratch/.stderr")
  if [ $status -eq 124 ] || [ $status -eq 137 ]; then report "$desc" "hung past ${limit}s"; return; fi
  if [ $status -ge 128 ]; then report "$desc" "died with status $status: $err"; return; fi
  if [ "$expect" = either ] && [ $status -ne 0 ]; then expect=error; fi
  if [ "$expect" = error ]; then
    if [ $status -eq 0 ]; then report "$desc" "succeeded; expected a refusal"; return; fi
    if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ "$err" != "charrnn: error: "* ]]; then
      report "$desc" "stderr is not one 'charrnn: error:' line: $(printf '%s' "$err" | head -c 300)"; return
    fi
  else
    if [ $status -ne 0 ]; then report "$desc" "exit $status: $err"; return; fi
    if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out$err"; then report "$desc" "output lacks /$pattern/"; return; fi
  fi
  local after
  after=$(fingerprint)
  if [ "$after" != "$before" ]; then report "$desc" "changed the shared inputs"; before=$after; return; fi
  if [ -n "$(ls -A "$work" | grep -vE '^(inputs|case-[0-9]+)$')" ]; then report "$desc" "wrote beside its scratch folder"; return; fi
  if [ ! -c /dev/null ]; then report "$desc" "/dev/null is no longer a device"; return; fi
  passed=$((passed + 1))
}
refuse() { run_case error "" "$@"; }
# Either outcome is right (e.g. a run that may recover from an explosion or stop): only how it ends is checked.
settle() { run_case either "" "$@"; }
accept() { local pattern=$1; shift; run_case ok "$pattern" "$@"; }

# ---- 1. input files that are not regular, readable, valid text ---------------------------------
bad_texts=("/nonexistent/x.txt" "$in/folder" "$in/empty.txt" "$in/fifo" /dev/zero /dev/urandom /dev/null
           "$in/loop-a" "$in/invalid.txt" "" "$in/bom-only.txt")
for f in "${bad_texts[@]}"; do
  refuse train "$f" --steps 2
  refuse eval "$ckpt" --text "$f"
  refuse compare "$ckpt" "$ckpt2" --text "$f"
  refuse study "$f" --chars 1000 --seeds 1
  refuse view "$ckpt" --text "$f"
done
refuse sample "$ckpt" --prime-file "$in/fifo"
refuse sample "$ckpt" --prime-file /dev/zero
refuse sample "$ckpt" --prime-file "$in/loop-a"
refuse train "$in/corpus.txt" --val-file "$in/fifo" --steps 2
refuse train "$in/corpus.txt" --val-file /dev/urandom --steps 2
refuse eval "$ckpt" --text "$in/one.txt"
refuse eval "$ckpt" --text "$in/unknown.txt"
refuse eval "$ckpt" --text "$in/one.txt" --format json
refuse compare "$ckpt" "$ckpt2" --text "$in/one.txt"

# ---- 2. checkpoints that are not checkpoints -------------------------------------------------
bad_ckpts=("/nonexistent/x.ckpt" "$in/folder" "$in/empty.txt" "$in/fifo" /dev/zero /dev/null "$in/loop-a"
           "$in/garbage.ckpt" "$in/truncated.ckpt" "$in/corpus.txt" "")
for c in "${bad_ckpts[@]}"; do
  refuse sample "$c"
  refuse inspect "$c"
  refuse eval "$c" --text "$in/text.txt"
  refuse export "$c" -o out.ckpt
  refuse train --resume "$c"
done
refuse train "$in/corpus.txt" --resume "$in/bf16.ckpt"

# ---- 3. outputs that are not ours to replace ---------------------------------------------------
refuse export "$ckpt" -o /dev/null
refuse export "$ckpt" -o "$in/fifo"
refuse export "$ckpt" -o "$in/corpus-link.txt"
refuse export "$ckpt" -o "$in/folder"
refuse export "$ckpt" -o "$ckpt"
refuse export "$ckpt" -o "$in/loop-a"
refuse export "$ckpt" -o ""
refuse plot "$in/runs/tiny" -o "$in/runs/tiny/metrics.jsonl"
refuse plot "$in/runs/tiny" -o "$in/runs/tiny/best.ckpt"
refuse plot "$in/runs/tiny" -o /dev/null
refuse plot "$in/runs/tiny" -o "$in/folder"
refuse plot "$in/runs/tiny" -o "$in/fifo"
refuse plot "$in/folder" -o out.svg
refuse plot /nonexistent -o out.svg
refuse eval "$ckpt" --text "$in/text.txt" --logits /dev/null
refuse eval "$ckpt" --text "$in/text.txt" --logits "$ckpt"
refuse eval "$ckpt" --text "$in/text.txt" --logits "$in/text.txt"
refuse eval "$ckpt" --text "$in/text.txt" --logits "$in/fifo"

# ---- 4. run names and folders that escape --------------------------------------------------------
for name in "" "." ".." "../../x" "a/b" "/tmp/x" $'bad\nname'; do
  refuse train "$in/corpus.txt" --steps 2 --name "$name"
done
refuse train "$in/corpus.txt" --steps 2 --checkpoint-dir ""
refuse train "$in/corpus.txt" --steps 2 --checkpoint-dir /dev/null --name x
refuse train "$in/corpus.txt" --steps 2 --checkpoint-dir "$in/corpus.txt" --name x

# ---- 5. numbers: negative, zero, not finite, not numbers, out of range -------------------------
for v in -1 0 nan abc; do
  refuse train "$in/corpus.txt" --layers "$v"
  refuse train "$in/corpus.txt" --hidden "$v"
  refuse train "$in/corpus.txt" --batch "$v"
  refuse train "$in/corpus.txt" --seq "$v"
  refuse train "$in/corpus.txt" --steps "$v"
  refuse train "$in/corpus.txt" --epochs "$v"
  refuse train "$in/corpus.txt" --lr "$v"
  refuse train "$in/corpus.txt" --clip "$v"
  refuse train "$in/corpus.txt" --threads "$v"
  refuse sample "$ckpt" --length "$v"
  refuse eval "$ckpt" --text "$in/text.txt" --streams "$v"
done
for v in -0.1 1 1.5 inf nan; do
  refuse train "$in/corpus.txt" --dropout "$v"
  refuse train "$in/corpus.txt" --weight-drop "$v"
  refuse train "$in/corpus.txt" --ema "$v"
  refuse train "$in/corpus.txt" --val-fraction "$v"
done
for v in -1 inf nan; do
  refuse train "$in/corpus.txt" --weight-decay "$v"
  refuse train "$in/corpus.txt" --init-one-hot "$v"
  refuse train "$in/corpus.txt" --lr-final "$v"
  refuse train "$in/corpus.txt" --warmup "$v"
  refuse sample "$ckpt" --temperature "$v"
  refuse sample "$ckpt" --top-k "$v"
  refuse sample "$ckpt" --top-p "$v"
done
refuse train "$in/corpus.txt" --forget-bias nan
refuse train "$in/corpus.txt" --forget-bias inf
refuse train "$in/corpus.txt" --seed -1
refuse train "$in/corpus.txt" --seed 18446744073709551616
refuse sample "$ckpt" --seed -5
refuse train "$in/corpus.txt" --threads 1025
for t in 0s 0.5s 5 "" 1x -1m abc 1e3s; do refuse train "$in/corpus.txt" --time "$t"; done
refuse study "$in/corpus.txt" --time 0s
refuse train "$in/corpus.txt" --embedding -3

# ---- 6. sizes the machine cannot hold ----------------------------------------------------------
refuse train "$in/corpus.txt" --hidden 100000 --steps 1
refuse train "$in/corpus.txt" --hidden 20000 --layers 8 --steps 1
refuse train "$in/corpus.txt" --batch 100000000 --hidden 16 --steps 1
refuse train "$in/corpus.txt" --batch 1000 --seq 1000 --hidden 16 --steps 1

# ---- 7. the command line itself -----------------------------------------------------------------
accept "USAGE" 
refuse frobnicate
refuse train
refuse train "$in/corpus.txt" --no-such-flag
refuse train "$in/corpus.txt" --seed
refuse train "$in/corpus.txt" --arch transformer
refuse sample
refuse eval "$ckpt"
refuse compare
refuse export "$ckpt" --dtype f8
refuse plot "$in/runs/tiny"
refuse bench --size 2x
refuse bench --size 0x16:1:1
refuse train "$in/corpus.txt" --lr-schedule sideways

# ---- 8. divergence: numbers that explode must not crash or reach best.ckpt as a best -------------
settle train "$in/text.txt" --hidden 16 --layers 1 --batch 4 --seq 16 --steps 30 --lr 1e30 --warmup 0 --name d1
settle train "$in/corpus.txt" --hidden 16 --layers 1 --batch 8 --seq 16 --steps 20 --weight-decay 1e9 --name d2 --quiet
settle train "$in/corpus.txt" --hidden 16 --layers 1 --batch 8 --seq 16 --steps 20 --lr 1e9 --warmup 0 --name d3 --quiet
settle train "$in/corpus.txt" --hidden 16 --layers 1 --batch 8 --seq 16 --steps 10 --forget-bias 1e30 --name d4 --quiet

# ---- 9. what must still work --------------------------------------------------------------------
accept "nats/char" eval "$ckpt" --text "$in/text.txt"
accept "natsPerCharacter" eval "$ckpt" --text "$in/text.txt" --format json
STDIN="$in/text.txt" accept "nats/char" eval "$ckpt" --text -
STDIN="$in/text.txt" accept "." sample "$ckpt" --prime-file - --length 20 --seed 1
accept "best" compare "$ckpt" "$ckpt2" --text "$in/text.txt"
refuse compare "$ckpt" "$ckpt2" --text "$in/unknown.txt" --format csv
accept "scored" compare "$ckpt" "$ckpt2" --text "$in/text.txt" --format csv
accept "." sample "$ckpt" --length 50 --seed 3
accept "." sample "$in/bf16.ckpt" --length 20 --seed 3
accept "model" inspect "$ckpt"
accept "wrote" export "$ckpt" -o small.ckpt --dtype f16
accept "wrote" plot "$in/runs/tiny" -o curves.svg
accept "done" train "$in/corpus-link.txt" --hidden 16 --layers 1 --batch 8 --seq 16 --steps 5 --name ok1
accept "done" train "$in/corpus.txt" --hidden 16 --layers 1 --batch 8 --seq 16 --steps 5 --name ok2 --threads 3
accept "done" train "$in/corpus.txt" --init-from "$in/bf16.ckpt" --batch 8 --seq 16 --steps 5 --name tuned
refuse train "$in/corpus.txt" --init-from "$in/bf16.ckpt" --hidden 99 --steps 5
refuse train --resume "$ckpt" --hidden 99
refuse view "$in/garbage.ckpt" --text "$in/text.txt"
refuse view "$in/truncated.ckpt" --text "$in/text.txt"
refuse view "$ckpt" "$ckpt2" "$ckpt" --text "$in/text.txt"
refuse view "$ckpt" --text "$in/text.txt" --max-chars 1
refuse view "$ckpt" --text "$in/one.txt"
refuse view "$ckpt" --text "$in/unknown.txt"
refuse view "$ckpt" --text "$in/text.txt" -o "$in/text.txt"
refuse view "$ckpt" --text "$in/text.txt" -o "$in/folder"
accept "page" view "$ckpt" "$ckpt2" --text "$in/text.txt" -o v.html
accept "page" view "$in/bf16.ckpt" --text "$in/text.txt" --max-chars 500 -o v.html
refuse study plan "$in/corpus.txt" --chars 0
refuse study plan "$in/corpus.txt" --chars 1000 --arms lstm
refuse study plan "$in/corpus.txt" --chars 1000 --params 10
refuse study plan "$in/corpus.txt" --chars 1000 --search-lr -1
refuse study run "$in/runs"
refuse study report "$in"
refuse study run "$in/nothing" --jobs 0
accept "runs.txt" study plan "$in/corpus.txt" --chars 2000 --params 2k --seeds 1 --batch 8 --seq 16 -o st
refuse train "$in/corpus.txt" --continue
refuse train "$in/corpus.txt" --continue --name c1 --overwrite
refuse train "$in/corpus.txt" --test-fraction 0.95
refuse train "$in/corpus.txt" --test-fraction 0.1 --val-file "$in/text.txt"
accept "1.0.0" --version

# ---- failed writes: a full or closed stdout is an error (exit 1, one line); stderr never kills ----
# full_stdout ARGS…: with stdout on /dev/full (and, second, closed) the command must end with exit 1
# and, as the last line on stderr (after any progress lines), "charrnn: error: cannot write to
# standard output (…)".
full_stdout() {
  local redirect
  for redirect in full closed; do
    n=$((n + 1))
    local scratch="$work/case-$n"
    mkdir -p "$scratch"
    if [ $redirect = full ]; then
      (cd "$scratch" && timeout -k 5 "$limit" "$charrnn" "$@" >/dev/full 2>"$scratch/.stderr" </dev/null)
    else
      (cd "$scratch" && timeout -k 5 "$limit" "$charrnn" "$@" >&- 2>"$scratch/.stderr" </dev/null)
    fi
    local status=$? err
    err=$(cat "$scratch/.stderr")
    if [ $status -ne 1 ] || [ "$(printf '%s\n' "$err" | grep -c '^charrnn: error: ')" -ne 1 ] ||
      [[ "$(printf '%s\n' "$err" | tail -1)" != "charrnn: error: cannot write to standard output"* ]]; then
      report "charrnn $* (stdout $redirect)" "exit $status: $(printf '%s' "$err" | head -c 300)"
    else
      passed=$((passed + 1))
    fi
  done
}
# quiet_stderr STATUS ARGS…: with stderr on /dev/full (and, second, closed) the command must end with
# STATUS, the one its own work earns: never a signal.
quiet_stderr() {
  local want=$1 redirect
  shift
  for redirect in full closed; do
    n=$((n + 1))
    local scratch="$work/case-$n"
    mkdir -p "$scratch"
    if [ $redirect = full ]; then
      (cd "$scratch" && timeout -k 5 "$limit" "$charrnn" "$@" >/dev/null 2>/dev/full </dev/null)
    else
      (cd "$scratch" && timeout -k 5 "$limit" "$charrnn" "$@" >/dev/null 2>&- </dev/null)
    fi
    local status=$?
    if [ $status -ne "$want" ]; then report "charrnn $* (stderr $redirect)" "exit $status, expected $want"
    else passed=$((passed + 1)); fi
  done
}
# ---- a run writes only into its own folder; a default output name never replaces a file ----
refuse train --resume "$in/models/mine.ckpt" --steps 48
refuse train --resume "$in/models/best.ckpt" --steps 48
refuse export "$in/ex/m.ckpt"
refuse export "$in/ex/m.ckpt" --dtype f32

full_stdout eval "$ckpt" --text "$in/corpus.txt"
full_stdout eval "$ckpt" --text "$in/corpus.txt" --format json
full_stdout sample "$ckpt" --length 20 --seed 1
full_stdout sample "$ckpt" --length 20 --seed 1 --format json
full_stdout inspect "$ckpt"
full_stdout compare "$ckpt" "$ckpt" --text "$in/corpus.txt"
full_stdout --help
full_stdout --version
quiet_stderr 1 frobnicate
quiet_stderr 1 sample /nonexistent
quiet_stderr 0 sample "$ckpt" --length 5 --seed 1
quiet_stderr 0 train "$in/corpus.txt" --steps 2 --hidden 8 --layers 1 --batch 2 --seq 8 --name s

echo "adversarial cases: $n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
