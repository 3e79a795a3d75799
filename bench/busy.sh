#!/usr/bin/env bash
# charrnn on a shared machine: training, evaluation and single-stream sampling speed with 1 thread
# and with every core, alone and beside BUSY busy processes (default: one per core). Each busy
# process is a shell loop that `timeout` ends after 10 minutes, and that this script kills as it
# exits. The claim it checks: with other processes loading every core, N threads are never
# slower than 1 (the figures are printed; nothing is asserted, since the machine is noisy).
#
#   bench/busy.sh [CHARRNN] [BUSY]      e.g. bench/busy.sh .build/release/charrnn 2
set -euo pipefail
charrnn=${1:-.build/release/charrnn}
busy=${2:-$(nproc)}
cores=$(nproc)
size=${SIZE:-2x256:32:64}
pids=()
stop_load() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pids=(); wait 2>/dev/null || true; }
trap stop_load EXIT

figure() { grep -o "\"$1\" : [0-9.e+-]*" <<<"$2" | head -1 | awk '{printf "%9.0f", $3}'; }

measure() {
    local label=$1 threads=$2 json
    json=$("$charrnn" bench --arch lstm --size "$size" --steps 5 --sample-length 3000 --threads "$threads" \
        --format json 2>/dev/null)
    printf '%-22s %7s %9s %9s %9s\n' "$label" "$threads" "$(figure trainCharsPerSecond "$json")" \
        "$(figure evalCharsPerSecond "$json")" "$(figure sampleCharsPerSecond "$json")"
}

echo "charrnn bench, LSTM $size, on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($cores cores)"
printf '%-22s %7s %9s %9s %9s\n' "load" "threads" "train/s" "eval/s" "sample/s"
for t in 1 "$cores"; do measure "alone" "$t"; done
for _ in $(seq "$busy"); do
    timeout 600 sh -c 'while :; do :; done' &
    pids+=($!)
done
for t in 1 "$cores" 1 "$cores"; do measure "$busy busy processes" "$t"; done
