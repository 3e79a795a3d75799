// The baseline variant: any x86-64 CPU (SSE2) and any arm64 CPU (NEON). The tile is 4 rows by
// 8 columns in eight 4-float accumulators (16 registers on SSE2: eight for C, two for B, one
// broadcast), run 2×4 times per 8×32 block.
#include <string.h>

#define CK_TARGET
#define CK_NAME(x) x##_baseline
#define CK_VARIANT_NAME "baseline"
#define CK_W 4
#define CK_KC 128
#include "Microkernel.h"

CK_DEFINE_TILE(tile_baseline, v4f, 4, 4, 2)

static void micro_baseline(int rows, int cols, long k, const float *a, const float *b, float *c, long ldc,
                           int accumulate) {
    for (int r = 0; r < rows; r += 4)
        for (int q = 0; q < cols; q += 8)
            tile_baseline(rows - r < 4 ? rows - r : 4, cols - q < 8 ? cols - q : 8, k, a + r, b + q,
                          c + r * ldc + q, ldc, accumulate);
}

#include "Variant.h"
