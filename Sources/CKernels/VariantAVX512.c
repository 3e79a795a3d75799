// The AVX-512 variant (32 zmm registers of 16 floats): an 8×32 tile in sixteen accumulators, two
// loads of B and eight broadcasts per step; a tail of at most 4 rows (e.g. 25 streams per core)
// takes the half-height tile. K blocks of 256 (a 32 KB panel slice; the L1 holds 48 KB or more on
// every CPU with AVX-512 that we know of).
#if defined(__x86_64__)
#include <string.h>

#define CK_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
#define CK_NAME(x) x##_avx512
#define CK_VARIANT_NAME "avx512"
#define CK_W 16
#define CK_KC 256
#include "Microkernel.h"

CK_DEFINE_TILE(tile8_avx512, v16f, 16, 8, 2)
CK_DEFINE_TILE(tile4_avx512, v16f, 16, 4, 2)

CK_TARGET static void micro_avx512(int rows, int cols, long k, const float *a, const float *b, float *c, long ldc,
                                   int accumulate) {
    if (rows <= 4) tile4_avx512(rows, cols, k, a, b, c, ldc, accumulate);
    else tile8_avx512(rows, cols, k, a, b, c, ldc, accumulate);
}

#include "Variant.h"
#endif
