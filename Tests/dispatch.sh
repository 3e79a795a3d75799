#!/usr/bin/env bash
# One binary on every x86-64 CPU: runs the release build under each kernel variant this CPU can run
# (forced with CHARRNN_KERNELS) and under qemu-user as a Haswell (AVX2, no AVX-512) and as qemu64
# (SSE2 only), where it must choose avx2 and baseline by itself. Every run trains the same 20 steps,
# and its validation loss and its eval of the corpus must equal the native default's to 1e-5
# relative. Also: a variant the CPU lacks is refused in one line naming the missing feature.
#
#   Tests/dispatch.sh [path/to/release/charrnn]     (default .build/release/charrnn, built if missing)
#
# Prints which variants ran for real and which under emulation, and ends with "N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
charrnn=${1:-$root/.build/release/charrnn}
[ -x "$charrnn" ] || (cd "$root" && swift build -c release --product charrnn >/dev/null) || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 5000 "$root/corpora/tinyshakespeare.txt" > "$work/text.txt"
passed=0 failed=0
check() {  # check NAME CONDITION-EXIT-STATUS MESSAGE
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok: $1"; else failed=$((failed + 1)); echo "FAILED: $1: $3"; fi
}

# run NAME [PREFIX...]: trains, evaluates, prints "variant validation eval".
run() {
    local name=$1; shift
    "$@" "$charrnn" train "$work/text.txt" --steps 20 --arch lstm --layers 1 --hidden 16 --batch 4 --seq 16 \
        --seed 3 --threads 2 --checkpoint-dir "$work/runs" --name "$name" --quiet > "$work/$name.log" 2>&1 ||
        { echo "train failed:" >&2; cat "$work/$name.log" >&2; }
    local variant validation evaluation
    variant=$("$@" "$charrnn" --version 2>/dev/null | sed -n 's/^kernels: \([a-z0-9]*\).*/\1/p')
    validation=$(python3 -c "import json,sys; print([json.loads(l)['validationLoss'] for l in open(sys.argv[1]) if 'validationLoss' in l][-1])" "$work/runs/$name/metrics.jsonl")
    evaluation=$("$@" "$charrnn" eval "$work/runs/$name/best.ckpt" --text "$work/text.txt" --format json 2>/dev/null |
        python3 -c "import json,sys; print(json.load(sys.stdin)[0]['natsPerCharacter'])")
    echo "$variant $validation $evaluation"
}

same() { python3 -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= 1e-5*abs(b) else 1)" "$1" "$2"; }

read -r native_variant native_val native_eval < <(run native)
echo "native default: $native_variant kernels, validation $native_val, eval $native_eval"
real=()
for v in avx512 avx2 baseline; do
    if ! CHARRNN_KERNELS=$v "$charrnn" --version >/dev/null 2>&1; then
        msg=$(CHARRNN_KERNELS=$v "$charrnn" --version 2>&1 >/dev/null)
        [[ "$msg" == "charrnn: error: CHARRNN_KERNELS=$v needs "* ]]
        check "CHARRNN_KERNELS=$v refused on this CPU ($msg)" $? "unexpected message"
        continue
    fi
    real+=("$v")
    read -r variant val ev < <(CHARRNN_KERNELS=$v run "forced-$v")
    [ "$variant" = "$v" ] && same "$val" "$native_val" && same "$ev" "$native_eval"
    check "CHARRNN_KERNELS=$v: validation $val, eval $ev" $? "variant $variant; expected $native_val, $native_eval"
done
echo "kernel variants run for real on this CPU: ${real[*]}"

if command -v qemu-x86_64 >/dev/null; then
    for pair in Haswell:avx2 qemu64:baseline; do
        cpu=${pair%%:*} want=${pair##*:}
        read -r variant val ev < <(run "qemu-$cpu" qemu-x86_64 -cpu "$cpu")
        [ "$variant" = "$want" ] && same "$val" "$native_val" && same "$ev" "$native_eval"
        check "qemu -cpu $cpu chose $variant: validation $val, eval $ev" $? "wanted $want, $native_val, $native_eval"
    done
    msg=$(CHARRNN_KERNELS=avx512 qemu-x86_64 -cpu Haswell "$charrnn" --version 2>&1 >/dev/null | grep -v '^qemu')
    [ "$msg" = "charrnn: error: CHARRNN_KERNELS=avx512 needs avx512f, which this CPU (or its operating system) does not provide" ]
    check "qemu -cpu Haswell refuses CHARRNN_KERNELS=avx512 in one line" $? "got: $msg"
else
    echo "note: qemu-x86_64 not installed; the emulated CPUs were not run"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
