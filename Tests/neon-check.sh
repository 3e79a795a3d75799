#!/usr/bin/env bash
# The kernels on arm64: cross-compiles Sources/CKernels with Debian's aarch64 GCC (only the portable
# variant exists there; NEON is in the arm64 baseline) together with Tests/kernels/kernel_check.c,
# and runs the result under qemu-aarch64. Ends with "N passed, M failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
command -v "$cc" >/dev/null || { echo "neon-check needs $cc (apt-get install gcc-aarch64-linux-gnu)"; exit 1; }
command -v qemu-aarch64 >/dev/null || { echo "neon-check needs qemu-aarch64 (apt-get install qemu-user)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$cc" -O2 -std=gnu11 -static -I "$root/Sources/CKernels/include" -I "$root/Sources/CKernels" \
    "$root"/Sources/CKernels/*.c "$root/Tests/kernels/kernel_check.c" -lm -lpthread -o "$out/kernel_check"
qemu-aarch64 "$out/kernel_check"
