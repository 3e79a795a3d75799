// The blocked matrix product around each variant's register tile (the tile is the only part that
// depends on the instruction set; packing is memory-bound and runs as baseline code).
//
// Blocking: K in slices of the variant's kc, so that one panel slice (kc×32 floats) stays in L1
// while the row blocks of A stream past it; A is packed 8 rows at a time in blocks of up to
// CK_MC rows, so the tile reads A and B as two sequential streams.
#include "CKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#define CK_MR 8
#define CK_NR 32
#define CK_MC 192
#define CK_KC_MAX 256

long ck_gemm_scratch_count(void) { return CK_MC * CK_KC_MAX; }

/// One full block of 8 rows stored along k (row i at rows + i·ars): block[p·8 + i] = A(i, p). On
/// x86-64 four p at a time go through two 4 × 4 transposes (SSE, the baseline), in place of 32
/// one-float stores; the values are moved, never changed.
static void pack_rows_8(long k, const float *rows, long ars, float *block) {
    long p = 0;
#if defined(__x86_64__)
    for (; p + 4 <= k; p += 4) {
        __m128 r[8];
        for (int i = 0; i < 8; i++) r[i] = _mm_loadu_ps(rows + i * ars + p);
        _MM_TRANSPOSE4_PS(r[0], r[1], r[2], r[3]);
        _MM_TRANSPOSE4_PS(r[4], r[5], r[6], r[7]);
        for (int q = 0; q < 4; q++) {
            _mm_storeu_ps(block + (p + q) * CK_MR, r[q]);
            _mm_storeu_ps(block + (p + q) * CK_MR + 4, r[q + 4]);
        }
    }
#endif
    for (; p < k; p++)
        for (int i = 0; i < CK_MR; i++) block[p * CK_MR + i] = rows[i * ars + p];
}

/// Packs rows × k of A (element (i, p) at a[i·ars + p·acs]) as blocks of 8 rows: block r holds,
/// for each p, the 8 values A(8r .. 8r+7, p); missing rows are zero.
static void pack_a(long rows, long k, const float *a, long ars, long acs, float *dst) {
    for (long r0 = 0; r0 < rows; r0 += CK_MR) {
        float *block = dst + r0 * k;
        long h = rows - r0 < CK_MR ? rows - r0 : CK_MR;
        if (acs == 1 && h == CK_MR) {
            pack_rows_8(k, a + r0 * ars, ars, block);
        } else if (acs == 1) {
            memset(block, 0, sizeof(float) * k * CK_MR);
            for (long i = 0; i < h; i++) {
                const float *src = a + (r0 + i) * ars;
                for (long p = 0; p < k; p++) block[p * CK_MR + i] = src[p];
            }
        } else if (ars == 1 && h == CK_MR) {
            for (long p = 0; p < k; p++) memcpy(block + p * CK_MR, a + p * acs + r0, sizeof(float) * CK_MR);
        } else {
            for (long p = 0; p < k; p++)
                for (long i = 0; i < CK_MR; i++) block[p * CK_MR + i] = i < h ? a[(r0 + i) * ars + p * acs] : 0;
        }
    }
}

void ck_gemm(long m, long n, long k, const float *a, long ars, long acs, const float *b, float *c, long ldc,
             int accumulate, float *scratch) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * n);
        return;
    }
    const ck_table *t = ck_active();
    long kc = t->kc, panels = (n + CK_NR - 1) / CK_NR;
    for (long k0 = 0; k0 < k; k0 += kc) {
        long klen = k - k0 < kc ? k - k0 : kc;
        int acc = accumulate || k0 > 0;
        for (long i0 = 0; i0 < m; i0 += CK_MC) {
            long mlen = m - i0 < CK_MC ? m - i0 : CK_MC;
            pack_a(mlen, klen, a + i0 * ars + k0 * acs, ars, acs, scratch);
            for (long p = 0; p < panels; p++) {
                long j = p * CK_NR;
                int cols = (int)(n - j < CK_NR ? n - j : CK_NR);
                const float *bp = b + p * k * CK_NR + k0 * CK_NR;
                for (long i = 0; i < mlen; i += CK_MR) {
                    int rows = (int)(mlen - i < CK_MR ? mlen - i : CK_MR);
                    t->micro(rows, cols, klen, scratch + i * klen, bp, c + (i0 + i) * ldc + j, ldc, acc);
                }
            }
        }
    }
}

void ck_gemv(long n, long k, const float *w, const float *x, float *y, int accumulate) {
    ck_active()->gemv(n, k, w, x, y, accumulate);
}

void ck_gemv_bf16(long n, long k, long ldw, const uint16_t *w, const float *x, float *y, int accumulate,
                  float *scratch) {
    ck_active()->gemv_bf16(n, k, ldw, w, x, y, accumulate, scratch);
}
