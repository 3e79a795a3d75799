// Matrix products in bf16 with fp32 accumulation: C[M,N] (+)= A·B with A and B rounded to bf16
// (round to nearest even) and every product summed in fp32.
//
// B [K,N] is packed once (for weights, once per optimizer step) as panels of 32 columns; within a
// panel, k-pair p holds 32 dwords, dword j = (B[2p][j], B[2p+1][j]) (low half first): the pairs
// layout both instructions want. Each panel's k-pairs are padded with zeros to a multiple of 16
// (an AMX tile of B). A is packed per call, in the layout of the path that runs.
//
// Paths, chosen at run time (ck_bf16_use), fastest first:
//   amx                AMX-BF16 tiles (AMXGemm.c);
//   avx512_bf16        vdpbf16ps: A packed 8 rows at a time (for each k-pair, 8 dwords
//                      (A[i][2p], A[i][2p+1])); a tile keeps an 8×32 block of C in 16 accumulators
//                      and per k-pair does 2 loads of B, 8 dword broadcasts of A and 16 vdpbf16ps;
//   amx-model          the AMX path on the models of the tile instructions (BFloat16Model.c);
//   avx512_bf16-model  the vdpbf16ps path on the model of vdpbf16ps.
// The models run anywhere: the tests hold each instruction to its model bit for bit where the CPU
// has it, and run both paths' packing, blocking and edges on every CPU.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "BFloat16.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define BF_MR 8

uint16_t ck_bf16_round(float x) { return bf_round(x); }

// MARK: packing
//
// Packing rounds every value it moves. The two helpers below cover every layout: k runs either
// along a row of memory (`across`: each row's pairs are spread over the dwords of R rows) or down
// the rows (`along`: R values side by side). Their loops run over contiguous runs of a constant
// length, so the compiler vectorises the rounding; the bits are bf_round's, value by value.

/// dst dword (p, r) = (src_r[2p], src_r[2p+1]) for r < R, p < pairs, where src_r = src + r·ld:
/// R rows that each hold k contiguously.
static inline __attribute__((always_inline)) void pack_pairs_across(int R, long pairs, const float *src, long ld,
                                                                    uint16_t *dst) {
    long p0 = 0;
    for (; p0 + 8 <= pairs; p0 += 8)
        for (int r = 0; r < R; r++) {
            uint16_t t[16];
            const float *s = src + r * ld + 2 * p0;
            for (int x = 0; x < 16; x++) t[x] = bf_round(s[x]);
            for (int q = 0; q < 8; q++) memcpy(dst + ((p0 + q) * R + r) * 2, t + 2 * q, 4);
        }
    for (; p0 < pairs; p0++)
        for (int r = 0; r < R; r++) {
            dst[(p0 * R + r) * 2] = bf_round(src[r * ld + 2 * p0]);
            dst[(p0 * R + r) * 2 + 1] = bf_round(src[r * ld + 2 * p0 + 1]);
        }
}

/// dst dword (p, r) = (src[2p·ld + r], src[(2p+1)·ld + r]) for r < R, p < pairs: each k holds the
/// R values contiguously.
static inline __attribute__((always_inline)) void pack_pairs_along(int R, long pairs, const float *src, long ld,
                                                                   uint16_t *dst) {
    for (long p = 0; p < pairs; p++) {
        const float *s0 = src + 2 * p * ld, *s1 = s0 + ld;
        uint16_t *d = dst + p * R * 2;
        for (int r = 0; r < R; r++) {
            d[2 * r] = bf_round(s0[r]);
            d[2 * r + 1] = bf_round(s1[r]);
        }
    }
}

long ck_bf16_panels_count(long k, long n) { return (n + BF_NR - 1) / BF_NR * bf_panel_pairs(k) * 2 * BF_NR; }

/// B[k][j] = src[k*ld + j] (row-major) or src[j*ld + k] (transposed: B = Wᵀ for W [N,K]).
static void pack_b(const float *src, long ld, int transposed, long k, long n, uint16_t *dst) {
    long pairs = bf_panel_pairs(k), full = k / 2, whole = n / BF_NR;
    if (!transposed)  // whole panels' complete pairs, two rows of B at a time across all panels
        for (long p = 0; p < full; p++)
            for (long q = 0; q < whole; q++)
                pack_pairs_along(BF_NR, 1, src + 2 * p * ld + q * BF_NR, ld, dst + (q * pairs + p) * 2 * BF_NR);
    for (long q = 0; q < (n + BF_NR - 1) / BF_NR; q++) {
        uint16_t *panel = dst + q * pairs * 2 * BF_NR;
        long j0 = q * BF_NR, p0 = q < whole ? full : 0;
        if (transposed && q < whole) pack_pairs_across(BF_NR, full, src + j0 * ld, ld, panel);
        for (long p = p0; p < pairs; p++)  // the rest: odd k's last pair, zero padding, a narrow panel
            for (long j = 0; j < BF_NR; j++)
                for (long h = 0; h < 2; h++) {
                    long kk = 2 * p + h, jj = j0 + j;
                    float v = kk < k && jj < n ? (transposed ? src[jj * ld + kk] : src[kk * ld + jj]) : 0;
                    panel[(p * BF_NR + j) * 2 + h] = bf_round(v);
                }
    }
}

void ck_bf16_pack_rows(const float *src, long ld, long k, long n, uint16_t *dst) { pack_b(src, ld, 0, k, n, dst); }

void ck_bf16_pack_transposed(const float *w, long ld, long k, long n, uint16_t *dst) {
    pack_b(w, ld, 1, k, n, dst);
}

/// rows × k of A (element (i, p) at a[i·ars + p·acs]) as blocks of 8 rows of k-pairs, rounded:
/// for each k-pair, 8 dwords (A[i][2p], A[i][2p+1]); zeros past k and past the last row.
static void pack_a(long rows, long k, const float *a, long ars, long acs, uint16_t *dst) {
    long pairs = (k + 1) / 2, full = k / 2;
    for (long r0 = 0; r0 < rows; r0 += BF_MR) {
        uint16_t *block = dst + r0 * pairs * 2;
        const float *base = a + r0 * ars;
        long h = rows - r0 < BF_MR ? rows - r0 : BF_MR;
        if (h == BF_MR && acs == 1) pack_pairs_across(BF_MR, full, base, ars, block);
        else if (h == BF_MR && ars == 1) pack_pairs_along(BF_MR, full, base, acs, block);
        else {  // the last, partial block of rows (or an unusual layout), value by value
            memset(block, 0, sizeof(uint16_t) * pairs * 2 * BF_MR);
            for (long i = 0; i < h; i++)
                for (long kk = 0; kk < k; kk++)
                    block[((kk >> 1) * BF_MR + i) * 2 + (kk & 1)] = bf_round(base[i * ars + kk * acs]);
            continue;
        }
        if (k & 1)
            for (long i = 0; i < BF_MR; i++) {
                block[(full * BF_MR + i) * 2] = bf_round(base[i * ars + (k - 1) * acs]);
                block[(full * BF_MR + i) * 2 + 1] = 0;
            }
    }
}

long ck_bf16_scratch_count(void) { return BF_MC * BF_KC; }

// MARK: the vdpbf16ps path

static void tile_model(int rows, int cols, long pairs, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                       int accumulate) {
    float acc[BF_MR * BF_NR] = {0};
    for (long p = 0; p < pairs; p++, a += BF_MR, b += BF_NR)
        for (int i = 0; i < BF_MR; i++)
            for (int j = 0; j < BF_NR; j++) acc[i * 32 + j] = ck_dpbf16_model(acc[i * 32 + j], a[i], b[j]);
    bf_store_block(acc, 32, rows, cols, c, ldc, accumulate);
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
    bf_store_block(acc, 32, rows, cols, c, ldc, accumulate);
}
#endif

typedef void (*vdp_tile_fn)(int, int, long, const uint32_t *, const uint32_t *, float *, long, int);

/// The vdpbf16ps path's blocking (m, n, k > 0), on the instruction's tile or its model's.
static void gemm_vdp(vdp_tile_fn tile, long m, long n, long k, const float *a, long ars, long acs,
                     const uint16_t *b_panels, float *c, long ldc, int accumulate, uint16_t *scratch) {
    long panel_pairs = bf_panel_pairs(k), panels = (n + BF_NR - 1) / BF_NR;
    for (long k0 = 0; k0 < k; k0 += BF_KC) {
        long klen = k - k0 < BF_KC ? k - k0 : BF_KC, pairs = (klen + 1) / 2;
        int acc = accumulate || k0 > 0;
        for (long i0 = 0; i0 < m; i0 += BF_MC) {
            long mlen = m - i0 < BF_MC ? m - i0 : BF_MC;
            pack_a(mlen, klen, a + i0 * ars + k0 * acs, ars, acs, scratch);
            for (long q = 0; q < panels; q++) {
                long j = q * BF_NR;
                int cols = (int)(n - j < BF_NR ? n - j : BF_NR);
                const uint32_t *bp =
                    (const uint32_t *)(const void *)(b_panels + (q * panel_pairs + k0 / 2) * 2 * BF_NR);
                for (long i = 0; i < mlen; i += BF_MR) {
                    int rows = (int)(mlen - i < BF_MR ? mlen - i : BF_MR);
                    tile(rows, cols, pairs, (const uint32_t *)(const void *)(scratch + i * pairs * 2), bp,
                         c + (i0 + i) * ldc + j, ldc, acc);
                }
            }
        }
    }
}

static void gemm_vdp_model(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels,
                           float *c, long ldc, int accumulate, uint16_t *scratch) {
    gemm_vdp(tile_model, m, n, k, a, ars, acs, b_panels, c, ldc, accumulate, scratch);
}

#if defined(__x86_64__)
static void gemm_vdp_hardware(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels,
                              float *c, long ldc, int accumulate, uint16_t *scratch) {
    gemm_vdp(tile_avx512bf16, m, n, k, a, ars, acs, b_panels, c, ldc, accumulate, scratch);
}
#else
#define gemm_vdp_hardware gemm_vdp_model
#endif

/// A 37×70×45 product (edges in every direction, accumulating) through `gemm` against the
/// double-precision product of the same bf16-rounded inputs: 1 when within 1e-5 of the largest
/// value. The AMX path must pass it before it is used: a path no test has run on this CPU model
/// is not trusted with a whole training run before that.
int bf_check_product(bf_gemm_fn gemm) {
    enum { M = 37, N = 70, K = 45 };
    float a[M * K], b[K * N], c[M * N];
    unsigned state = 12345;
    for (int i = 0; i < M * K; i++) a[i] = (float)((state = state * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f;
    for (int i = 0; i < K * N; i++) b[i] = (float)((state = state * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f;
    for (int i = 0; i < M * N; i++) c[i] = (float)(i % 7) - 3;
    uint16_t *panels = malloc(sizeof(uint16_t) * ck_bf16_panels_count(K, N));
    uint16_t *scratch = malloc(sizeof(uint16_t) * ck_bf16_scratch_count());
    if (!panels || !scratch) {
        free(panels), free(scratch);
        return 0;
    }
    ck_bf16_pack_rows(b, N, K, N, panels);
    gemm(M, N, K, a, K, 1, panels, c, N, 1, scratch);
    double worst = 0, scale = 1e-6;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double sum = (double)((i * N + j) % 7) - 3;
            for (int p = 0; p < K; p++) {
                uint32_t x = (uint32_t)bf_round(a[i * K + p]) << 16, y = (uint32_t)bf_round(b[p * N + j]) << 16;
                float fx, fy;
                memcpy(&fx, &x, 4), memcpy(&fy, &y, 4);
                sum += (double)fx * fy;
            }
            scale = fabs(sum) > scale ? fabs(sum) : scale;
            worst = fabs(c[i * N + j] - sum) > worst ? fabs(c[i * N + j] - sum) : worst;
        }
    free(panels), free(scratch);
    return worst <= 1e-5 * scale;
}

// MARK: choosing the path

static int has_avx512bf16(void) { return ck_cpu_has("avx512_bf16"); }
static int always(void) { return 1; }

static const struct {
    const char *name;
    bf_gemm_fn gemm;
    int hardware;
    int (*available)(void);
} paths[] = {
    {"amx", bf_gemm_amx, 1, bf_amx_ready},
    {"avx512_bf16", gemm_vdp_hardware, 1, has_avx512bf16},
    {"amx-model", bf_gemm_amx_model, 0, always},
    {"avx512_bf16-model", gemm_vdp_model, 0, always},
};
#define PATH_COUNT (int)(sizeof paths / sizeof paths[0])

static int chosen = -1;  // an index into paths; -1 = the fastest available

/// The chosen path, else the fastest instruction this CPU has, else the vdpbf16ps model (the last).
static int current(void) {
    int i = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (i >= 0) return i;
    for (i = 0; i < PATH_COUNT - 1 && !(paths[i].hardware && paths[i].available()); i++) {}
    return i;
}

int ck_bf16_use(const char *name) {
    if (!name) {
        __atomic_store_n(&chosen, -1, __ATOMIC_RELEASE);
        return 1;
    }
    for (int i = 0; i < PATH_COUNT; i++)
        if (strcmp(paths[i].name, name) == 0) {
            if (!paths[i].available()) return 0;
            __atomic_store_n(&chosen, i, __ATOMIC_RELEASE);
            return 1;
        }
    return 0;
}

const char *ck_bf16_path(void) { return paths[current()].name; }

int ck_bf16_check_path(const char *name) {
    for (int i = 0; i < PATH_COUNT; i++)
        if (strcmp(paths[i].name, name) == 0) return paths[i].available() && bf_check_product(paths[i].gemm);
    return 0;
}

int ck_bf16_hardware(void) { return paths[current()].hardware; }

void ck_gemm_bf16(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels, float *c,
                  long ldc, int accumulate, uint16_t *scratch) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * n);
        return;
    }
    paths[current()].gemm(m, n, k, a, ars, acs, b_panels, c, ldc, accumulate, scratch);
}
