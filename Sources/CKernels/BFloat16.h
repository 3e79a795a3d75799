// What the bf16 product's files share (BFloat16Gemm.c, BFloat16Model.c, AMXGemm.c).
#ifndef CHARRNN_BFLOAT16_H
#define CHARRNN_BFLOAT16_H
#include <stdint.h>
#include <string.h>

#include "CKernels.h"

/// Columns per panel of packed B.
#define BF_NR 32
/// k-pairs per AMX tile of B (16 rows of 64 bytes); every panel holds a multiple of them.
#define BF_PAIR_BLOCK 16
/// Rows of A and k values per packed block of A.
#define BF_MC 192
#define BF_KC 512

/// k-pairs a panel holds for K = k: (k + 1) / 2, zero-padded up to a multiple of BF_PAIR_BLOCK.
static inline long bf_panel_pairs(long k) {
    long pairs = k > 0 ? (k + 1) / 2 : 1;
    return (pairs + BF_PAIR_BLOCK - 1) / BF_PAIR_BLOCK * BF_PAIR_BLOCK;
}

/// x rounded to bf16, to nearest even (NaN stays a quiet NaN): inline, so that packing loops
/// vectorise (ck_bf16_round is the same, exported).
static inline uint16_t bf_round(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    uint16_t rounded = (uint16_t)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
    return (u & 0x7FFFFFFF) > 0x7F800000 ? 0x7FC0 : rounded;
}

/// The signature every path of ck_gemm_bf16 has.
typedef void (*bf_gemm_fn)(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels,
                           float *c, long ldc, int accumulate, uint16_t *scratch);

/// 1 when `gemm` passes the start-up check of a bf16 path (BFloat16Gemm.c).
int bf_check_product(bf_gemm_fn gemm);

/// 1 when the CPU has AMX-BF16, the operating system granted this process the tile state and the
/// AMX product passed bf_check_product.
int bf_amx_ready(void);

/// The AMX paths: the instructions, and the same blocking on the models of the instructions.
void bf_gemm_amx(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels, float *c,
                 long ldc, int accumulate, uint16_t *scratch);
void bf_gemm_amx_model(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels,
                       float *c, long ldc, int accumulate, uint16_t *scratch);

/// C[rows, cols] (accumulate ? += : =) acc (row stride `acc_stride` floats), for tiles at an edge.
static inline void bf_store_block(const float *acc, long acc_stride, int rows, int cols, float *c, long ldc,
                                  int accumulate) {
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i * acc_stride + j] : acc[i * acc_stride + j];
}

#endif
