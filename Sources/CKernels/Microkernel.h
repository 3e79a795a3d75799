// The matrix product's register tile, written once with portable vector types: a tile of R rows
// by C vectors of W floats is held in R·C accumulators; per step p it loads C vectors of B,
// broadcasts R values of A and does R·C multiply-adds (fused where the target has FMA).
// A is packed 8 values per p and B as a 32-wide panel (see Gemm.c); the tile starts at row
// `a` and column `b` of them. Rows and columns past `rows`/`cols` are computed but not stored.
#ifndef CHARRNN_MICROKERNEL_H
#define CHARRNN_MICROKERNEL_H

#include "VectorTypes.h"

#define CK_DEFINE_TILE(FN, VT, W, R, C)                                                                  \
    CK_TARGET static inline __attribute__((always_inline)) void FN(                                      \
        int rows, int cols, long k, const float *a, const float *b, float *c, long ldc, int accumulate) { \
        typedef float VTU __attribute__((vector_size(W * 4), aligned(4)));                               \
        VT acc[R][C];                                                                                    \
        for (int i = 0; i < R; i++)                                                                      \
            for (int q = 0; q < C; q++) acc[i][q] = (VT){0};                                             \
        for (long p = 0; p < k; p++) {                                                                   \
            VT bv[C];                                                                                    \
            for (int q = 0; q < C; q++) bv[q] = *(const VTU *)(b + q * W);                              \
            for (int i = 0; i < R; i++) {                                                                \
                VT x = -(VT){0} + a[i]; /* -0 + a is a exactly: a broadcast */                                                                    \
                for (int q = 0; q < C; q++) acc[i][q] += x * bv[q];                                      \
            }                                                                                            \
            a += 8;                                                                                      \
            b += 32;                                                                                     \
        }                                                                                                \
        for (int i = 0; i < R && i < rows; i++) {                                                        \
            float *row = c + i * ldc;                                                                    \
            if (cols >= C * W) {                                                                         \
                for (int q = 0; q < C; q++) {                                                            \
                    VT v = acc[i][q];                                                                    \
                    if (accumulate) v += *(VTU *)(row + q * W);                                          \
                    *(VTU *)(row + q * W) = v;                                                           \
                }                                                                                        \
            } else {                                                                                     \
                float tmp[C * W];                                                                        \
                memcpy(tmp, acc[i], sizeof tmp);                                                         \
                for (int j = 0; j < cols; j++) row[j] = accumulate ? row[j] + tmp[j] : tmp[j];           \
            }                                                                                            \
        }                                                                                                \
    }

#endif
