// Portable models of the bf16 instructions the products use, written from their documented
// semantics (Intel SDM): vdpbf16ps (AVX512_BF16) and the AMX tile loads, stores, zeroing and
// tdpbf16ps. The tests run the kernels' blocking through these on every CPU and hold the real
// instructions to them bit for bit where the CPU has them.
//
// Both dot products: each bf16 widens to fp32 exactly; a denormal input reads as a zero of the same
// sign; each product is exact and is added to the running fp32 sum with one rounding (to nearest
// even, whatever MXCSR says), so a pair is two fused multiply-adds; a denormal sum flushes to zero.
// They differ in order: vdpbf16ps adds the odd element's product first, tdpbf16ps the even one's.
#include <math.h>
#include <string.h>

#include "BFloat16.h"

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

/// acc + a.first·b.first + a.second·b.second, in that order, as the instructions do it.
static inline float dot_pair(float acc, uint16_t a_first, uint16_t b_first, uint16_t a_second, uint16_t b_second) {
    float sum = flush(acc);
    sum = flush(fmaf(widen_daz(a_first), widen_daz(b_first), sum));
    return flush(fmaf(widen_daz(a_second), widen_daz(b_second), sum));
}

float ck_dpbf16_model(float acc, uint32_t a, uint32_t b) {
    return dot_pair(acc, (uint16_t)(a >> 16), (uint16_t)(b >> 16), (uint16_t)a, (uint16_t)b);
}

// MARK: AMX tiles

void ck_tile_configure_model(ck_tile *t, int rows, int colsb) {
    t->rows = (uint8_t)rows;
    t->colsb = (uint16_t)colsb;
    memset(t->bytes, 0, sizeof t->bytes);
}

void ck_tile_zero_model(ck_tile *t) { memset(t->bytes, 0, sizeof t->bytes); }

/// tileloadd: row r of the tile is colsb bytes from base + r·stride; the bytes past colsb and the
/// rows past `rows` read as zero.
void ck_tile_load_model(ck_tile *t, const void *base, long stride) {
    ck_tile_zero_model(t);
    for (int r = 0; r < t->rows; r++) memcpy(t->bytes[r], (const uint8_t *)base + r * stride, t->colsb);
}

/// tilestored: writes rows × colsb bytes, row r at base + r·stride.
void ck_tile_store_model(const ck_tile *t, void *base, long stride) {
    for (int r = 0; r < t->rows; r++) memcpy((uint8_t *)base + r * stride, t->bytes[r], t->colsb);
}

static inline uint16_t bf16_at(const ck_tile *t, int row, int index) {
    uint16_t v;
    memcpy(&v, t->bytes[row] + 2 * index, 2);
    return v;
}

/// tdpbf16ps c += a·b: a [M, K] bf16 row-major (K = a.colsb / 2), b [K/2, N] in pairs (row k holds
/// (b[2k][n], b[2k+1][n]) for each of N = c.colsb / 4 columns), c [M, N] fp32. For each element,
/// k-pair by k-pair: the even product, then the odd one.
void ck_tdpbf16ps_model(ck_tile *c, const ck_tile *a, const ck_tile *b) {
    int pairs = a->colsb / 4, columns = c->colsb / 4;
    for (int m = 0; m < c->rows; m++) {
        float row[16];
        memcpy(row, c->bytes[m], sizeof row);
        for (int k = 0; k < pairs; k++)
            for (int n = 0; n < columns; n++)
                row[n] = dot_pair(row[n], bf16_at(a, m, 2 * k), bf16_at(b, k, 2 * n), bf16_at(a, m, 2 * k + 1),
                                  bf16_at(b, k, 2 * n + 1));
        memset(c->bytes[m], 0, sizeof c->bytes[m]);
        memcpy(c->bytes[m], row, (size_t)c->colsb);
    }
    for (int m = c->rows; m < 16; m++) memset(c->bytes[m], 0, sizeof c->bytes[m]);
}
