// The numeric kernels of charrnn, written once per instruction set and chosen when the program
// starts (run-time dispatch, as OpenBLAS's DYNAMIC_ARCH or llama.cpp's CPU variants).
//
// Variants (see Dispatch.c for how one is chosen):
//   baseline  any x86-64 CPU (SSE2) or any arm64 CPU (NEON): portable vector code
//   avx2      x86-64 with AVX2 and FMA (Haswell, Zen 1 and later)
//   avx512    x86-64 with AVX-512 F, BW, VL and DQ whose OS saves the zmm state
// Every variant computes the same functions; they differ only in float rounding (fused
// multiply-adds, and the blocking of the matrix product's inner dimension).
#ifndef CHARRNN_KERNELS_H
#define CHARRNN_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: choosing the variant

/// The variant in use ("baseline", "avx2" or "avx512"). The first call of any kernel chooses it:
/// the environment variable CHARRNN_KERNELS when it names a variant this CPU can run, else the
/// best one the CPU can run.
const char *ck_variant(void);

/// The CPU features found, space-separated (e.g. "sse2 avx2 fma avx512f avx512bw avx512vl
/// avx512dq avx512_bf16"); a feature counts only where the OS also saves its registers (XCR0).
const char *ck_cpu_features(void);

/// The CPU's vendor as CPUID gives it ("GenuineIntel", "AuthenticAMD"; "" where there is none).
const char *ck_cpu_vendor(void);

/// Why CHARRNN_KERNELS could not be honoured (unknown name, or a feature the CPU lacks), or NULL.
/// The kernels then run the best variant; the command-line tool refuses to start.
const char *ck_selection_error(void);

/// Makes `name` the variant in use. Returns 0, or -1 (and changes nothing) when the name is
/// unknown or this CPU cannot run it. For tests; not safe while kernels run on other threads.
int ck_use(const char *name);

/// 1 when this CPU can run the variant `name`.
int ck_supported(const char *name);

// MARK: matrix products

/// Floats of scratch one `ck_gemm` call needs (one buffer per thread).
long ck_gemm_scratch_count(void);

/// C[M,N] (accumulate ? += : =) A·B. A's element (i, p) is a[i*ars + p*acs]; B [K,N] is packed as
/// column panels of 32: panel q holds B[p][32q .. 32q+31] for p = 0..K-1, zero-padded past N.
void ck_gemm(long m, long n, long k, const float *a, long ars, long acs, const float *b_panels,
             float *c, long ldc, int accumulate, float *scratch);

/// y[N] (accumulate ? += : =) W[N,K]·x[K], W row-major (one stream: sampling).
void ck_gemv(long n, long k, const float *w, const float *x, float *y, int accumulate);

/// The same with W in bf16 (the upper halves of floats), row i at w + i·ldw (ldw ≥ k). With an
/// even ldw every row starts on a pair and the kernel runs vectorised; the padding of a row past
/// k must then be finite (zero). `scratch` holds k + 1 floats.
void ck_gemv_bf16(long n, long k, long ldw, const uint16_t *w, const float *x, float *y, int accumulate,
                  float *scratch);

// MARK: bf16 products (BFloat16Gemm.c)

/// 1 when this CPU has `feature` (a name as ck_cpu_features lists it, e.g. "avx512_bf16").
int ck_cpu_has(const char *feature);

/// x rounded to bf16, to nearest even (NaN stays NaN).
uint16_t ck_bf16_round(float x);

/// The model of one lane of vdpbf16ps: acc + a.hi·b.hi, then + a.lo·b.lo, each rounded to fp32
/// (nearest even), with denormal inputs read as zero and denormal results flushed to zero.
float ck_dpbf16_model(float acc, uint32_t a, uint32_t b);

/// Elements (uint16) of B [K,N] packed as bf16 panels (32 columns, K in pairs, the pairs padded
/// to a multiple of 16).
long ck_bf16_panels_count(long k, long n);

/// Packs B[k][j] = src[k*ld + j] (row-major) into bf16 panels.
void ck_bf16_pack_rows(const float *src, long ld, long k, long n, uint16_t *dst);

/// Packs B = Wᵀ for W [N,K] row-major (B[k][j] = w[j*ld + k]) into bf16 panels.
void ck_bf16_pack_transposed(const float *w, long ld, long k, long n, uint16_t *dst);

/// Elements (uint16) of scratch one ck_gemm_bf16 call needs (one buffer per thread).
long ck_bf16_scratch_count(void);

/// C[M,N] (accumulate ? += : =) A·B in bf16 with fp32 sums; A as in ck_gemm (rounded to bf16 as it
/// is packed), B bf16 panels. Runs the path ck_bf16_path names.
void ck_gemm_bf16(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels, float *c,
                  long ldc, int accumulate, uint16_t *scratch);

/// Makes ck_gemm_bf16 run `path`: "amx" or "avx512_bf16" (the instructions), "amx-model" or
/// "avx512_bf16-model" (the same blocking on the instructions' C models); NULL: the fastest this
/// CPU has (the default). Returns 0, changing nothing, for a path this CPU cannot run or no path.
int ck_bf16_use(const char *path);

/// The path ck_gemm_bf16 runs: "amx", "avx512_bf16", or "avx512_bf16-model" on a CPU with neither.
const char *ck_bf16_path(void);

/// 1 when ck_gemm_bf16 runs a real instruction (not a model).
int ck_bf16_hardware(void);

/// 1 when `path` runs here and passes the start-up check the AMX path must pass before it is used
/// (a 37×70×45 product against the double-precision product of its rounded inputs).
int ck_bf16_check_path(const char *path);

/// Why the AMX path is or is not used here: "in use", "this CPU has no AMX-BF16", Linux's refusal
/// of the tile state, or a failed start-up check of the product against its reference.
const char *ck_bf16_amx_status(void);

// MARK: AMX tiles and their model (BFloat16Model.c, AMXGemm.c)

/// One AMX tile register: `rows` rows of `colsb` bytes in use (the rest reads as zero).
typedef struct {
    uint8_t rows;
    uint16_t colsb;
    uint8_t bytes[16][64];
} ck_tile;

/// Shapes a model tile (as ldtilecfg does) and zeroes it.
void ck_tile_configure_model(ck_tile *t, int rows, int colsb);
/// tilezero, tileloadd (row r from base + r·stride) and tilestored, as documented.
void ck_tile_zero_model(ck_tile *t);
void ck_tile_load_model(ck_tile *t, const void *base, long stride);
void ck_tile_store_model(const ck_tile *t, void *base, long stride);
/// tdpbf16ps c += a·b: per element and k-pair, the even product then the odd one, each a rounding to
/// fp32 (nearest even), denormal inputs read as zero and denormal sums flushed to zero.
void ck_tdpbf16ps_model(ck_tile *c, const ck_tile *a, const ck_tile *b);
/// The real tdpbf16ps on the same tiles (shaped by their rows and colsb); 0 where the CPU has no
/// AMX-BF16 (or Linux refused the tile state), 1 after running it.
int ck_tdpbf16ps_hardware(ck_tile *c, const ck_tile *a, const ck_tile *b);

// MARK: recurrent cells (units 0..count-1 of one row; gate blocks `stride` floats apart)

/// LSTM: gates hold pre-activations (i, f, g, o) and receive the activations; writes c', tanh c', h'.
void ck_lstm_cell_forward(float *gates, const float *c_prev, float *c_out, float *tanh_c, float *h_out,
                          long count, long stride);

/// LSTM backward for one row; dh: gradient from step t+1, dc: dL/dc_t on entry, dL/dc_{t-1} on exit.
void ck_lstm_cell_backward(const float *gates, float *d_gates, const float *c_prev, const float *tanh_c,
                           const float *dh_above, const float *dh, float *dc, long count);

/// GRU: gates hold the input side's pre-activations (r, z, n) and receive r, z, n; hp the recurrent
/// products (W_h· h); writes W_hn h + b_hn to hn and h' to h_out.
void ck_gru_cell_forward(float *gates, const float *hp, const float *bhn, const float *h_prev, float *hn,
                         float *h_out, long count, long stride);

/// GRU backward for one row; on exit dh holds z ⊙ dh' (the product with W_hh is added by the caller).
void ck_gru_cell_backward(const float *gates, float *d_hidden, float *d_input, const float *h_prev,
                          const float *hn, const float *dh_above, float *dh, long count);

// MARK: element-wise

/// row[0..n) = softmax(row); returns log Σ exp(row).
float ck_softmax(float *row, long n);

/// One Adam (PyTorch form) update of n parameters; `decay_mask` may be NULL (no weight decay).
void ck_adam(float *p, const float *g, float *m, float *v, const float *decay_mask, long n, float beta1,
             float beta2, float step_size, float bc2_root, float eps, float decay);

/// Σ x², in float within blocks of 4096 and in double across blocks.
double ck_sum_squares(const float *x, long n);

/// dst += src.
void ck_add(float *dst, const float *src, long n);

/// dst *= m (element-wise).
void ck_multiply(float *dst, const float *m, long n);

/// dst[j] += Σ_r a[r*cols + j].
void ck_column_sums(const float *a, long rows, long cols, float *dst);

// MARK: exposed for tests

/// exp, σ and tanh as the cells compute them (16 at a time, with the same tails).
void ck_exp(const float *x, float *y, long n);
void ck_sigmoid(const float *x, float *y, long n);
void ck_tanh(const float *x, float *y, long n);

#ifdef __cplusplus
}
#endif
#endif
