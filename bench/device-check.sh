#!/usr/bin/env bash
# The checks and figures that need a CPU this machine lacks (AMX-BF16; AVX512_BF16 on AMD; many
# cores), in one short script for a borrowed machine that may have no Swift and no compiler.
#
#   bench/device-check.sh prepare        here: builds static programs into .build-device/ (ignored)
#   bench/device-check.sh run [OUTDIR]   there, with .build-device/ carried: writes OUTDIR/*.txt
#   bench/device-check.sh quality [OUTDIR]   there: bf16 against fp32 training at equal steps
#
# `run` prints the CPU's flags, then, each step under its own time limit:
#   1. kernel_check: the C kernels against naive references on every path this CPU runs, and
#      each bf16 instruction's path against its C model bit for bit (AMX included, where it is);
#   2. kernel_speed: GFLOP/s of the fp32 and bf16 products at the yardstick models' shapes, on
#      1, 2 and every core;
#   3. charrnn bench in fp32 and bf16 on 2 threads and on every core, at 2x128 and 2x512 (the
#      Swift runtime is linked in; built on Debian 12 it needs glibc 2.35, Ubuntu 22.04's, or later);
#   4. where python3 imports torch there: bench/side_by_side.py at 2x512, both precisions.
# CHECK_QUICK=1 keeps to steps 1-3 at 2 threads.
# `quality` trains the README's 3-minute GRU (2x256, 2478 steps, seed 1) in fp32 and in bf16 side by
# side, each on half the cores, and scores both on the test part (docs/precision.md#quality);
# QUALITY_STEPS=N shortens it for a trial.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.build-device"

prepare() {
    set -e
    local cc=${CC:-}
    if [ -z "$cc" ]; then
        for c in "$(dirname "$(command -v swift 2>/dev/null || echo /x/swift)")/clang" clang gcc; do
            if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
        done
    fi
    mkdir -p "$dir"
    for program in Tests/kernels/kernel_check.c bench/kernel_speed.c; do
        "$cc" -O2 -std=gnu11 -static -I "$root/Sources/CKernels/include" -I "$root/Sources/CKernels" \
            "$root"/Sources/CKernels/*.c "$root/$program" -lm -lpthread -o "$dir/$(basename "$program" .c)"
    done
    # The installed build (Makefile): the Swift runtime linked in, stripped.
    (cd "$root" && swift build -c release --static-swift-stdlib --scratch-path .build-install >/dev/null)
    strip -o "$dir/charrnn" "$root/.build-install/release/charrnn"
    du -sh "$dir"
    echo "carry .build-device; on the device: bench/device-check.sh run \"\$OUT\""
}

step() {  # step NAME LIMIT COMMAND...: runs it into $out/NAME.txt, echoing it, under a time limit
    local name=$1 limit=$2
    shift 2
    echo "== $name: $*"
    timeout -k 5 "$limit" "$@" >"$out/$name.txt" 2>&1
    local rc=$?
    cat "$out/$name.txt"
    [ $rc = 0 ] || echo "== $name: exit $rc"
}

run() {
    out=${1:-${OUT:-$dir/out}}
    mkdir -p "$out"
    local cores
    cores=$(nproc)
    {
        echo "date: $(date -u)"
        grep -m1 'model name' /proc/cpuinfo
        echo "cores: $cores"
        echo "flags: $(grep -o -w -E 'avx2|avx512f|avx512_bf16|amx_bf16|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
        ldd --version 2>&1 | head -1
    } | tee "$out/cpu.txt"
    local threads="1 2 $cores" both="2 $cores"
    if [ "${CHECK_QUICK:-0}" = 1 ]; then threads="1 2"; both=2; fi
    step kernel_check 120 "$dir/kernel_check"
    # shellcheck disable=SC2086
    step kernel_speed 240 "$dir/kernel_speed" $threads
    step version 20 "$dir/charrnn" --version
    for t in $both; do
        for p in fp32 bf16; do
            step "bench-$p-$t" 150 "$dir/charrnn" bench --size 2x128:50:50 --size 2x512:64:64 --steps 10 \
                --threads "$t" --precision "$p" --sample-length 1000
        done
    done
    if [ "${CHECK_QUICK:-0}" != 1 ] && python3 -c 'import torch' 2>/dev/null; then
        for p in fp32 bf16; do
            step "side_by_side-$p" 240 python3 "$root/bench/side_by_side.py" --charrnn "$dir/charrnn" \
                --torch-python python3 --precision "$p" --steps 10 --repeat 1 --configs lstm:2x512:64:64,gru:2x512:64:64
        done
    else
        echo "== side_by_side: skipped (quick, or no python3 with torch here)"
    fi
}

quality() {
    out=${1:-${OUT:-$dir/out}}
    mkdir -p "$out"
    local runs half
    runs=$(mktemp -d)
    half=$(($(nproc) / 2 > 0 ? $(nproc) / 2 : 1))
    for p in fp32 bf16; do
        timeout -k 5 480 "$dir/charrnn" train "$root/corpora/tinyshakespeare.txt" --val-fraction 0.1 --test-fraction 0.1 \
            --arch gru --layers 2 --hidden 256 --embedding 0 --dropout 0.13 --weight-drop 0.0 --init-one-hot 1.0 \
            --batch 32 --seq 64 --lr 0.003 --lr-schedule cosine --lr-final 0.1 --warmup 24 --clip 5.0 \
            --weight-decay 0.0 --ema 0.998 --seed 1 --steps "${QUALITY_STEPS:-2478}" --threads "$half" --precision "$p" \
            --checkpoint-dir "$runs" --name "gru-$p" --quiet >"$out/quality-$p.txt" 2>&1 &
    done
    wait
    for p in fp32 bf16; do
        echo "== gru-$p: $(grep -E '^(test|done):' "$out/quality-$p.txt" | tr '\n' ' ')"
        "$dir/charrnn" eval "$runs/gru-$p/best.ckpt" --split test --precision fp32 2>&1 | tee -a "$out/quality.txt"
    done
    rm -rf "$runs"
}

case "${1:-}" in
prepare) prepare ;;
run) run "${2:-}" ;;
quality) quality "${2:-}" ;;
*) echo "usage: bench/device-check.sh prepare | run [OUTDIR] | quality [OUTDIR]" >&2; exit 2 ;;
esac
