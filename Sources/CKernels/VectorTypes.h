// Portable vector types and helpers shared by every variant. The helpers are always inlined, so
// they compile to the instruction set of the function that uses them.
#ifndef CHARRNN_VECTOR_TYPES_H
#define CHARRNN_VECTOR_TYPES_H

#include <stdint.h>
#include <string.h>

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
typedef uint32_t v16u __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef uint32_t v4u __attribute__((vector_size(16)));

#define CK_INLINE static inline __attribute__((always_inline))

/// One variant: its name, the depth of its matrix product's K blocks, and its functions.
typedef struct ck_table {
    const char *name;
    long kc;
    /// C[rows, cols] (+)= A·B for rows ≤ 8, cols ≤ 32: A packed 8 values per p, B one panel.
    void (*micro)(int rows, int cols, long k, const float *a, const float *b, float *c, long ldc, int accumulate);
    void (*gemv)(long n, long k, const float *w, const float *x, float *y, int accumulate);
    void (*gemv_bf16)(long n, long k, long ldw, const uint16_t *w, const float *x, float *y, int accumulate,
                      float *scratch);
    void (*lstm_forward)(float *, const float *, float *, float *, float *, long, long);
    void (*lstm_backward)(const float *, float *, const float *, const float *, const float *, const float *,
                          float *, long);
    void (*gru_forward)(float *, const float *, const float *, const float *, float *, float *, long, long);
    void (*gru_backward)(const float *, float *, float *, const float *, const float *, const float *, float *,
                         long);
    float (*softmax)(float *, long);
    void (*adam)(float *, const float *, float *, float *, const float *, long, float, float, float, float, float,
                 float);
    double (*sum_squares)(const float *, long);
    void (*add)(float *, const float *, long);
    void (*multiply)(float *, const float *, long);
    void (*column_sums)(const float *, long, long, float *);
    void (*exp_n)(const float *, float *, long);
    void (*sigmoid_n)(const float *, float *, long);
    void (*tanh_n)(const float *, float *, long);
} ck_table;

const ck_table *ck_table_baseline(void);
#if defined(__x86_64__)
const ck_table *ck_table_avx2(void);
const ck_table *ck_table_avx512(void);
#endif

#endif
