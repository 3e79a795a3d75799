// The AVX2 + FMA variant (16 ymm registers of 8 floats). An 8×32 tile would need 32 accumulators,
// so the tile is 4 rows by 16 columns (eight accumulators, two loads of B, four broadcasts and
// eight FMAs per step), run 2×2 times per block. K blocks of 128: one panel slice (16 KB) then
// shares a 32 KB L1 with the stream of A.
#if defined(__x86_64__)
#include <string.h>

#define CK_TARGET __attribute__((target("avx2,fma")))
#define CK_NAME(x) x##_avx2
#define CK_VARIANT_NAME "avx2"
#define CK_W 8
#define CK_KC 128
#include "Microkernel.h"

CK_DEFINE_TILE(tile_avx2, v8f, 8, 4, 2)

CK_TARGET static void micro_avx2(int rows, int cols, long k, const float *a, const float *b, float *c, long ldc,
                                 int accumulate) {
    for (int r = 0; r < rows; r += 4)
        for (int q = 0; q < cols; q += 16)
            tile_avx2(rows - r < 4 ? rows - r : 4, cols - q < 16 ? cols - q : 16, k, a + r, b + q, c + r * ldc + q,
                      ldc, accumulate);
}

#include "Variant.h"
#endif
