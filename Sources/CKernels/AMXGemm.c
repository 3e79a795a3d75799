// The bf16 product on AMX tiles (tdpbf16ps; Intel Sapphire Rapids and later), and the same code on
// the models of the tile instructions (BFloat16Model.c). The blocking is in AMXKernel.h.
//
// A is packed in groups of 16 rows, each row `kpad` bf16 (k padded with zeros to a multiple of 32:
// one tile row of 64 bytes per 32 k). B comes as the usual bf16 panels: a panel's k-pair p is a row
// of 32 dwords, so a tile of B is 16 such rows read with a stride of 128 bytes, and the panels'
// k-pairs are padded to a multiple of 16 so the last tile never reads past them.
//
// Linux gives a process the tile state only when asked (arch_prctl ARCH_REQ_XCOMP_PERM, feature
// 18); bf_amx_ready asks once and the AMX path is used only where the CPU has AMX-BF16, XCR0 saves
// the tile state and the request succeeded. Each call configures the tiles of the thread that runs
// it (ldtilecfg) and releases them at the end.
#include <pthread.h>
#include <string.h>

#include "BFloat16.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// out[ii·stride + pp] = t[pp][ii]: an 8×8 block of bf16 transposed (with SSE2's unpacks on x86-64,
/// whose baseline has them: 24 shuffles in place of 64 two-byte stores).
static inline void transpose_8x8(const uint16_t t[8][8], uint16_t *out, long stride) {
#if defined(__x86_64__)
    __m128i r[8], u[8], v[8];
    for (int i = 0; i < 8; i++) r[i] = _mm_loadu_si128((const __m128i *)(const void *)t[i]);
    for (int i = 0; i < 4; i++) {  // u: pairs of rows interleaved by 16 bits
        u[2 * i] = _mm_unpacklo_epi16(r[2 * i], r[2 * i + 1]);
        u[2 * i + 1] = _mm_unpackhi_epi16(r[2 * i], r[2 * i + 1]);
    }
    for (int h = 0; h < 2; h++)  // v: then by 32 bits, within each half of the rows
        for (int i = 0; i < 2; i++) {
            v[4 * h + 2 * i] = _mm_unpacklo_epi32(u[4 * h + i], u[4 * h + i + 2]);
            v[4 * h + 2 * i + 1] = _mm_unpackhi_epi32(u[4 * h + i], u[4 * h + i + 2]);
        }
    for (int i = 0; i < 4; i++) {  // and by 64 bits across the halves: column 2i and 2i + 1
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * i * stride), _mm_unpacklo_epi64(v[i], v[i + 4]));
        _mm_storeu_si128((__m128i *)(void *)(out + (2 * i + 1) * stride), _mm_unpackhi_epi64(v[i], v[i + 4]));
    }
#else
    for (int ii = 0; ii < 8; ii++)
        for (int pp = 0; pp < 8; pp++) out[ii * stride + pp] = t[pp][ii];
#endif
}

/// rows × k of A (element (i, p) at a[i·ars + p·acs]), rounded to bf16, as groups of 16 rows of
/// kpad values each (zeros past k and past the last row). With k running down memory (the weight
/// gradient's dgatesᵀ), 8 rows × 8 k go through a small block, so that the rounding runs over 8
/// contiguous values and vectorises.
static void amx_pack_a(long rows, long k, long kpad, const float *a, long ars, long acs, uint16_t *dst) {
    long groups = (rows + 15) / 16, i0 = 0;
    memset(dst, 0, sizeof(uint16_t) * groups * 16 * kpad);
    if (acs == 1) {
        for (long i = 0; i < rows; i++)
            for (long p = 0; p < k; p++) dst[i * kpad + p] = bf_round(a[i * ars + p]);
        return;
    }
    if (ars == 1)
        for (; i0 + 8 <= rows; i0 += 8) {
            long p0 = 0;
            for (; p0 + 8 <= k; p0 += 8) {
                uint16_t t[8][8];
                for (int pp = 0; pp < 8; pp++)
                    for (int ii = 0; ii < 8; ii++) t[pp][ii] = bf_round(a[i0 + ii + (p0 + pp) * acs]);
                transpose_8x8(t, dst + i0 * kpad + p0, kpad);
            }
            for (; p0 < k; p0++)
                for (int ii = 0; ii < 8; ii++) dst[(i0 + ii) * kpad + p0] = bf_round(a[i0 + ii + p0 * acs]);
        }
    for (; i0 < rows; i0++)
        for (long p = 0; p < k; p++) dst[i0 * kpad + p] = bf_round(a[i0 * ars + p * acs]);
}

// MARK: the path on the models

static _Thread_local ck_tile model_tiles[8];

static void model_configure(void) {
    for (int t = 0; t < 8; t++) ck_tile_configure_model(&model_tiles[t], 16, 64);
}

#define AMX_NAME(x) amx_model_##x
#define AMX_TARGET
#define TILE_CONFIG() model_configure()
#define TILE_RELEASE() ((void)0)
#define TILE_ZERO(t) ck_tile_zero_model(&model_tiles[t])
#define TILE_LOAD(t, base, stride) ck_tile_load_model(&model_tiles[t], (base), (stride))
#define TILE_STORE(t, base, stride) ck_tile_store_model(&model_tiles[t], (base), (stride))
#define TILE_DP(c, a, b) ck_tdpbf16ps_model(&model_tiles[c], &model_tiles[a], &model_tiles[b])
#include "AMXKernel.h"
#undef AMX_NAME
#undef AMX_TARGET
#undef TILE_CONFIG
#undef TILE_RELEASE
#undef TILE_ZERO
#undef TILE_LOAD
#undef TILE_STORE
#undef TILE_DP

void bf_gemm_amx_model(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels,
                       float *c, long ldc, int accumulate, uint16_t *scratch) {
    amx_model_gemm(m, n, k, a, ars, acs, b_panels, c, ldc, accumulate, scratch);
}

// MARK: the path on the instructions

/// ldtilecfg's 64 bytes: palette 1; tiles 0–7 of 16 rows × 64 bytes.
typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;

static pthread_once_t amx_once = PTHREAD_ONCE_INIT;
static int amx_granted;
static const char *amx_status = "this CPU has no AMX-BF16";


/// Asks Linux for the tile state, then checks the AMX product once against a reference before
/// anything uses it.
static void request_tiles(void) {
#if defined(__linux__) && defined(__x86_64__)
    if (!ck_cpu_has("amx_tile") || !ck_cpu_has("amx_bf16")) return;
    if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */) != 0) {
        amx_status = "Linux refused the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM)";
        return;
    }
    amx_granted = 1;
    if (!bf_check_product(bf_gemm_amx)) {
        amx_granted = 0;
        amx_status = "the AMX product disagreed with its reference in the start-up check; it is not used";
        return;
    }
    amx_status = "in use";
#endif
}

int bf_amx_ready(void) {
    pthread_once(&amx_once, request_tiles);
    return amx_granted;
}

const char *ck_bf16_amx_status(void) {
    pthread_once(&amx_once, request_tiles);
    return amx_status;
}


#if defined(__x86_64__)
#define AMX_ATTRIBUTES __attribute__((target("amx-tile,amx-bf16,avx512f")))

AMX_ATTRIBUTES static void amx_configure(int rows_c, int colsb_c, int rows_a, int colsb_a, int rows_b, int colsb_b) {
    tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) cfg.rows[t] = 16, cfg.colsb[t] = 64;
    cfg.rows[0] = (uint8_t)rows_c, cfg.colsb[0] = (uint16_t)colsb_c;
    cfg.rows[1] = (uint8_t)rows_a, cfg.colsb[1] = (uint16_t)colsb_a;
    cfg.rows[2] = (uint8_t)rows_b, cfg.colsb[2] = (uint16_t)colsb_b;
    _tile_loadconfig(&cfg);
}

#define AMX_NAME(x) amx_hw_##x
#define AMX_TARGET AMX_ATTRIBUTES
#define TILE_CONFIG() amx_configure(16, 64, 16, 64, 16, 64)
#define TILE_RELEASE() _tile_release()
#define TILE_ZERO(t) _tile_zero(t)
#define TILE_LOAD(t, base, stride) _tile_loadd(t, (base), (stride))
#define TILE_STORE(t, base, stride) _tile_stored(t, (base), (stride))
#define TILE_DP(c, a, b) _tile_dpbf16ps(c, a, b)
#include "AMXKernel.h"

void bf_gemm_amx(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels, float *c,
                 long ldc, int accumulate, uint16_t *scratch) {
    amx_hw_gemm(m, n, k, a, ars, acs, b_panels, c, ldc, accumulate, scratch);
}

/// One tdpbf16ps on tiles shaped as c, a and b say (tests: the instruction against its model).
AMX_ATTRIBUTES static void tdpbf16ps_once(ck_tile *c, const ck_tile *a, const ck_tile *b) {
    amx_configure(c->rows, c->colsb, a->rows, a->colsb, b->rows, b->colsb);
    _tile_loadd(0, c->bytes, 64);
    _tile_loadd(1, a->bytes, 64);
    _tile_loadd(2, b->bytes, 64);
    _tile_dpbf16ps(0, 1, 2);
    _tile_stored(0, c->bytes, 64);
    _tile_release();
}

int ck_tdpbf16ps_hardware(ck_tile *c, const ck_tile *a, const ck_tile *b) {
    if (!bf_amx_ready()) return 0;
    tdpbf16ps_once(c, a, b);
    return 1;
}
#else
void bf_gemm_amx(long m, long n, long k, const float *a, long ars, long acs, const uint16_t *b_panels, float *c,
                 long ldc, int accumulate, uint16_t *scratch) {
    bf_gemm_amx_model(m, n, k, a, ars, acs, b_panels, c, ldc, accumulate, scratch);  // never chosen here
}

int ck_tdpbf16ps_hardware(ck_tile *c, const ck_tile *a, const ck_tile *b) {
    (void)c, (void)a, (void)b;
    return 0;
}
#endif
