// Matrix products in bf16 with fp32 accumulation: C[M,N] (+)= A·B with A and B rounded to bf16
// (round to nearest even) and every product summed in fp32.
//
// Layout (the one vdpbf16ps wants): the inner dimension in pairs. B [K,N] is packed as panels of
// 32 columns; within a panel, k-pair p holds 32 dwords, dword j = (B[2p][j], B[2p+1][j]) (low half
// first), K padded with a zero row when odd. A is packed 8 rows at a time: for each k-pair, 8
// dwords (A[i][2p], A[i][2p+1]). The tile keeps an 8×32 block of C in 16 accumulators and per
// k-pair does 2 loads of B, 8 dword broadcasts of A and 16 vdpbf16ps (32 multiply-adds each).
//
// Two implementations of the same tile: the AVX512_BF16 instruction, and a portable model of it
// (ck_dpbf16_model) that runs anywhere and is what the tests hold the instruction to, bit for bit.
#include <math.h>
#include <string.h>

#include "CKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define BF_MR 8
#define BF_NR 32
#define BF_MC 192
#define BF_KC 512  // k values per block (256 pairs): a 32 KB slice of a B panel

static int force_model;

void ck_bf16_force_model(int on) { force_model = on; }

int ck_bf16_hardware(void) { return ck_cpu_has("avx512_bf16") && !force_model; }

uint16_t ck_bf16_round(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    uint16_t rounded = (uint16_t)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
    return (u & 0x7FFFFFFF) > 0x7F800000 ? 0x7FC0 : rounded;  // NaN stays a (quiet) NaN
}

static inline float widen(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/// bf16 → fp32 with a denormal (exponent 0) treated as a zero of the same sign.
static inline float widen_daz(uint16_t b) { return (b & 0x7F80) == 0 ? widen(b & 0x8000) : widen(b); }

/// A float whose exponent is 0 becomes a zero of the same sign.
static inline float flush(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7F800000) == 0) u &= 0x80000000;
    memcpy(&x, &u, 4);
    return x;
}

float ck_dpbf16_model(float acc, uint32_t a, uint32_t b) {
    // The documented operation: the odd pair first, then the even one, each a fused multiply-add
    // (the product is exact and never overflows on its own; only the sum is rounded, to nearest
    // even); denormal inputs read as zeros and denormal results are flushed to zero.
    float sum = flush(acc);
    sum = flush(fmaf(widen_daz((uint16_t)(a >> 16)), widen_daz((uint16_t)(b >> 16)), sum));
    sum = flush(fmaf(widen_daz((uint16_t)a), widen_daz((uint16_t)b), sum));
    return sum;
}

// MARK: packing

long ck_bf16_panels_count(long k, long n) {
    long pairs = k > 0 ? (k + 1) / 2 : 1;
    return (n + BF_NR - 1) / BF_NR * pairs * 2 * BF_NR;
}

/// B[k][j] = src[k*ld + j] (row-major) or src[j*ld + k] (transposed: B = Wᵀ for W [N,K]).
static void pack_b(const float *src, long ld, int transposed, long k, long n, uint16_t *dst) {
    long pairs = (k + 1) / 2;
    for (long q = 0; q < (n + BF_NR - 1) / BF_NR; q++) {
        uint16_t *panel = dst + q * pairs * 2 * BF_NR;
        for (long p = 0; p < pairs; p++)
            for (long j = 0; j < BF_NR; j++)
                for (long h = 0; h < 2; h++) {
                    long kk = 2 * p + h, jj = q * BF_NR + j;
                    float v = kk < k && jj < n ? (transposed ? src[jj * ld + kk] : src[kk * ld + jj]) : 0;
                    panel[(p * BF_NR + j) * 2 + h] = ck_bf16_round(v);
                }
    }
}

void ck_bf16_pack_rows(const float *src, long ld, long k, long n, uint16_t *dst) { pack_b(src, ld, 0, k, n, dst); }

void ck_bf16_pack_transposed(const float *w, long ld, long k, long n, uint16_t *dst) {
    pack_b(w, ld, 1, k, n, dst);
}

/// rows × k of A (element (i, p) at a[i·ars + p·acs]) as blocks of 8 rows of k-pairs, rounded.
static void pack_a(long rows, long k, const float *a, long ars, long acs, uint16_t *dst) {
    long pairs = (k + 1) / 2;
    for (long r0 = 0; r0 < rows; r0 += BF_MR) {
        uint16_t *block = dst + r0 * pairs * 2;
        long h = rows - r0 < BF_MR ? rows - r0 : BF_MR;
        if (h < BF_MR || (k & 1)) memset(block, 0, sizeof(uint16_t) * pairs * 2 * BF_MR);
        if (acs == 1) {  // rows of A contiguous: walk each row, write every 8th dword
            for (long i = 0; i < h; i++) {
                const float *src = a + (r0 + i) * ars;
                for (long kk = 0; kk < k; kk++) block[((kk >> 1) * BF_MR + i) * 2 + (kk & 1)] = ck_bf16_round(src[kk]);
            }
        } else {  // A stored transposed: the 8 rows of one k are contiguous
            for (long kk = 0; kk < k; kk++) {
                const float *src = a + kk * acs + r0 * ars;
                uint16_t *d = block + (kk >> 1) * BF_MR * 2 + (kk & 1);
                for (long i = 0; i < h; i++) d[2 * i] = ck_bf16_round(src[i * ars]);
            }
        }
    }
}

long ck_bf16_scratch_count(void) { return BF_MC * BF_KC; }

// MARK: tiles

static void store_tile(const float *acc, int rows, int cols, float *c, long ldc, int accumulate) {
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i * 32 + j] : acc[i * 32 + j];
}

static void tile_model(int rows, int cols, long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                       int accumulate) {
    float acc[BF_MR * BF_NR] = {0};
    for (long p = 0; p < pairs; p++, a += BF_MR, b += BF_NR)
        for (int i = 0; i < BF_MR; i++)
            for (int j = 0; j < BF_NR; j++) acc[i * 32 + j] = ck_dpbf16_model(acc[i * 32 + j], a[i], b[j]);
    store_tile(acc, rows, cols, c, ldc, accumulate);
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16"))) static void tile_avx512bf16(
    int rows, int cols, long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc, int accumulate) {
    __m512 c0[BF_MR], c1[BF_MR];
    for (int i = 0; i < BF_MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
    for (long p = 0; p < pairs; p++, a += BF_MR, b += BF_NR) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b), b1 = (__m512bh)_mm512_loadu_si512(b + 16);
        for (int i = 0; i < BF_MR; i++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[i]);
            c0[i] = _mm512_dpbf16_ps(c0[i], x, b0);
            c1[i] = _mm512_dpbf16_ps(c1[i], x, b1);
        }
    }
    if (rows == BF_MR && cols == BF_NR) {
        for (int i = 0; i < BF_MR; i++) {
            float *r = c + i * ldc;
            if (accumulate) {
                c0[i] = _mm512_add_ps(c0[i], _mm512_loadu_ps(r));
                c1[i] = _mm512_add_ps(c1[i], _mm512_loadu_ps(r + 16));
            }
            _mm512_storeu_ps(r, c0[i]);
            _mm512_storeu_ps(r + 16, c1[i]);
        }
        return;
    }
    float acc[BF_MR * BF_NR];
    for (int i = 0; i < BF_MR; i++) {
        _mm512_storeu_ps(acc + i * 32, c0[i]);
        _mm512_storeu_ps(acc + i * 32 + 16, c1[i]);
    }
    store_tile(acc, rows, cols, c, ldc, accumulate);
}
#endif

// MARK: the product

void ck_gemm_bf16(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels, float *c,
                  long ldc, int accumulate, uint16_t *scratch) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * n);
        return;
    }
    void (*tile)(int, int, long, const uint32_t *, const uint32_t *, float *, long, int) = tile_model;
#if defined(__x86_64__)
    if (ck_bf16_hardware()) tile = tile_avx512bf16;
#endif
    long all_pairs = (k + 1) / 2, panels = (n + BF_NR - 1) / BF_NR;
    for (long k0 = 0; k0 < k; k0 += BF_KC) {
        long klen = k - k0 < BF_KC ? k - k0 : BF_KC, pairs = (klen + 1) / 2;
        int acc = accumulate || k0 > 0;
        for (long i0 = 0; i0 < m; i0 += BF_MC) {
            long mlen = m - i0 < BF_MC ? m - i0 : BF_MC;
            pack_a(mlen, klen, a + i0 * ars + k0 * acs, ars, acs, scratch);
            for (long q = 0; q < panels; q++) {
                long j = q * BF_NR;
                int cols = (int)(n - j < BF_NR ? n - j : BF_NR);
                const uint32_t *bp = (const uint32_t *)(const void *)(b_panels + (q * all_pairs + k0 / 2) * 2 * BF_NR);
                for (long i = 0; i < mlen; i += BF_MR) {
                    int rows = (int)(mlen - i < BF_MR ? mlen - i : BF_MR);
                    tile(rows, cols, pairs, (const uint32_t *)(const void *)(scratch + i * pairs * 2), bp,
                         c + (i0 + i) * ldc + j, ldc, acc);
                }
            }
        }
    }
}
