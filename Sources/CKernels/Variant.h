// The element-wise kernels and the matrix-vector products of one variant, written once with the
// compiler's portable vector types and compiled once per instruction set: each variant file
// defines CK_TARGET (a function attribute naming the instruction set), CK_NAME(x) (a suffix) and
// CK_W (floats per register: 16 for AVX-512, 8 for AVX2, 4 for SSE2 and NEON), then includes this
// file. The compiler fuses a*b+c where the target has FMA.
// No include guard: included once per variant.

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "VectorTypes.h"

#if CK_W == 16
typedef v16f VF; typedef v16i VI; typedef v16u VU;
#elif CK_W == 8
typedef v8f VF; typedef v8i VI; typedef v8u VU;
#else
typedef v4f VF; typedef v4i VI; typedef v4u VU;
#endif
typedef float VFU __attribute__((vector_size(CK_W * 4), aligned(4)));
typedef uint32_t VUU __attribute__((vector_size(CK_W * 4), aligned(4)));

CK_TARGET CK_INLINE VF ck_load(const float *p) { return *(const VFU *)p; }
CK_TARGET CK_INLINE VU ck_loadu(const uint32_t *p) { return *(const VUU *)p; }
CK_TARGET CK_INLINE void ck_store(float *p, VF v) { *(VFU *)p = v; }
CK_TARGET CK_INLINE VF ck_splat(float x) { return -(VF){0} + x; }  // -0 + x is x exactly: a broadcast
CK_TARGET CK_INLINE VF ck_select(VI m, VF a, VF b) { return (VF)((m & (VI)a) | (~m & (VI)b)); }
CK_TARGET CK_INLINE VF ck_min(VF a, VF b) { return ck_select(a < b, a, b); }
CK_TARGET CK_INLINE VF ck_max(VF a, VF b) { return ck_select(a > b, a, b); }
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_sqrt)
CK_TARGET CK_INLINE VF ck_sqrt(VF a) { return __builtin_elementwise_sqrt(a); }
#else
CK_TARGET CK_INLINE VF ck_sqrt(VF a) {  // GCC (the arm64 cross-check): vectorised per lane
    for (int i = 0; i < CK_W; i++) a[i] = sqrtf(a[i]);
    return a;
}
#endif

/// The sum of the lanes, halves added pairwise.
CK_TARGET CK_INLINE float ck_sum(VF v) {
    float t[CK_W];
    memcpy(t, &v, sizeof t);
    for (int w = CK_W / 2; w > 0; w /= 2)
        for (int i = 0; i < w; i++) t[i] += t[i + w];
    return t[0];
}

// MARK: exp, σ, tanh

// Cephes single-precision exp: x = n·ln2 + r, |r| ≤ ln2/2, a degree-5 polynomial for e^r and 2^n
// built in the exponent bits; relative error below 2e-7 on [-87, 88], inputs clamped there.
CK_TARGET CK_INLINE VF CK_NAME(vexp)(VF x) {
    x = ck_min(ck_max(x, ck_splat(-87.3f)), ck_splat(88.3f));
    const VF magic = ck_splat(12582912.0f);  // 1.5·2^23: rounds to an integer in the low bits
    VF t = x * 1.44269504f + magic;
    VF n = t - magic;
    VF r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    VF z = r * r;
    VF y = ck_splat(1.9875691500e-4f);
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * z + r + 1.0f;
    VI e = (((VI)t) - 0x4B400000 + 127) << 23;
    return y * (VF)e;
}

CK_TARGET CK_INLINE VF CK_NAME(vsigmoid)(VF x) { return 1.0f / (1.0f + CK_NAME(vexp)(-x)); }

// tanh x = 2σ(2x) − 1: absolute error below 2.5e-7 everywhere.
CK_TARGET CK_INLINE VF CK_NAME(vtanh)(VF x) { return 2.0f / (1.0f + CK_NAME(vexp)(-2.0f * x)) - 1.0f; }

static inline float CK_NAME(sigmoid1)(float x) { return 1.0f / (1.0f + expf(-x)); }

CK_TARGET static void CK_NAME(exp_n)(const float *x, float *y, long n) {
    long j = 0;
    for (; j + CK_W <= n; j += CK_W) ck_store(y + j, CK_NAME(vexp)(ck_load(x + j)));
    for (; j < n; j++) y[j] = expf(x[j]);
}

CK_TARGET static void CK_NAME(sigmoid_n)(const float *x, float *y, long n) {
    long j = 0;
    for (; j + CK_W <= n; j += CK_W) ck_store(y + j, CK_NAME(vsigmoid)(ck_load(x + j)));
    for (; j < n; j++) y[j] = CK_NAME(sigmoid1)(x[j]);
}

CK_TARGET static void CK_NAME(tanh_n)(const float *x, float *y, long n) {
    long j = 0;
    for (; j + CK_W <= n; j += CK_W) ck_store(y + j, CK_NAME(vtanh)(ck_load(x + j)));
    for (; j < n; j++) y[j] = tanhf(x[j]);
}

// MARK: LSTM cell

CK_TARGET static void CK_NAME(lstm_forward)(float *gr, const float *c_prev, float *c_out, float *tanh_c,
                                            float *h_out, long n, long H) {
    long j = 0;
    for (; j + CK_W <= n; j += CK_W) {
        VF i = CK_NAME(vsigmoid)(ck_load(gr + j)), f = CK_NAME(vsigmoid)(ck_load(gr + H + j));
        VF g = CK_NAME(vtanh)(ck_load(gr + 2 * H + j)), o = CK_NAME(vsigmoid)(ck_load(gr + 3 * H + j));
        VF cn = f * ck_load(c_prev + j) + i * g;
        VF tc = CK_NAME(vtanh)(cn);
        ck_store(gr + j, i); ck_store(gr + H + j, f); ck_store(gr + 2 * H + j, g);
        ck_store(gr + 3 * H + j, o);
        ck_store(c_out + j, cn); ck_store(tanh_c + j, tc); ck_store(h_out + j, o * tc);
    }
    for (; j < n; j++) {
        float i = CK_NAME(sigmoid1)(gr[j]), f = CK_NAME(sigmoid1)(gr[H + j]);
        float g = tanhf(gr[2 * H + j]), o = CK_NAME(sigmoid1)(gr[3 * H + j]);
        float cn = f * c_prev[j] + i * g;
        float tc = tanhf(cn);
        gr[j] = i; gr[H + j] = f; gr[2 * H + j] = g; gr[3 * H + j] = o;
        c_out[j] = cn; tanh_c[j] = tc; h_out[j] = o * tc;
    }
}

CK_TARGET static void CK_NAME(lstm_backward)(const float *gr, float *dg, const float *c_prev, const float *tanh_c,
                                             const float *dh_above, const float *dh, float *dc, long H) {
    long j = 0;
    for (; j + CK_W <= H; j += CK_W) {
        VF i = ck_load(gr + j), f = ck_load(gr + H + j), g = ck_load(gr + 2 * H + j);
        VF o = ck_load(gr + 3 * H + j), tc = ck_load(tanh_c + j);
        VF dhv = ck_load(dh_above + j) + ck_load(dh + j);
        VF dcv = ck_load(dc + j) + dhv * o * (1.0f - tc * tc);
        ck_store(dg + j, dcv * i * (1.0f - i) * g);
        ck_store(dg + H + j, dcv * ck_load(c_prev + j) * f * (1.0f - f));
        ck_store(dg + 2 * H + j, dcv * i * (1.0f - g * g));
        ck_store(dg + 3 * H + j, dhv * tc * o * (1.0f - o));
        ck_store(dc + j, dcv * f);
    }
    for (; j < H; j++) {
        float i = gr[j], f = gr[H + j], g = gr[2 * H + j], o = gr[3 * H + j], tc = tanh_c[j];
        float dhv = dh_above[j] + dh[j];
        float dcv = dc[j] + dhv * o * (1 - tc * tc);
        dg[j] = dcv * i * (1 - i) * g;
        dg[H + j] = dcv * c_prev[j] * f * (1 - f);
        dg[2 * H + j] = dcv * i * (1 - g * g);
        dg[3 * H + j] = dhv * tc * o * (1 - o);
        dc[j] = dcv * f;
    }
}

// MARK: GRU cell

CK_TARGET static void CK_NAME(gru_forward)(float *gr, const float *hp, const float *bhn, const float *h_prev,
                                           float *hn, float *h_out, long n, long H) {
    long j = 0;
    for (; j + CK_W <= n; j += CK_W) {
        VF r = CK_NAME(vsigmoid)(ck_load(gr + j) + ck_load(hp + j));
        VF z = CK_NAME(vsigmoid)(ck_load(gr + H + j) + ck_load(hp + H + j));
        VF hnv = ck_load(hp + 2 * H + j) + ck_load(bhn + j);
        VF nv = CK_NAME(vtanh)(ck_load(gr + 2 * H + j) + r * hnv);
        ck_store(gr + j, r); ck_store(gr + H + j, z); ck_store(gr + 2 * H + j, nv);
        ck_store(hn + j, hnv);
        ck_store(h_out + j, nv + z * (ck_load(h_prev + j) - nv));
    }
    for (; j < n; j++) {
        float r = CK_NAME(sigmoid1)(gr[j] + hp[j]);
        float z = CK_NAME(sigmoid1)(gr[H + j] + hp[H + j]);
        float hnv = hp[2 * H + j] + bhn[j];
        float nv = tanhf(gr[2 * H + j] + r * hnv);
        gr[j] = r; gr[H + j] = z; gr[2 * H + j] = nv; hn[j] = hnv;
        h_out[j] = nv + z * (h_prev[j] - nv);
    }
}

CK_TARGET static void CK_NAME(gru_backward)(const float *gr, float *dgh, float *dgx, const float *h_prev,
                                            const float *hn, const float *dh_above, float *dh, long H) {
    long j = 0;
    for (; j + CK_W <= H; j += CK_W) {
        VF r = ck_load(gr + j), z = ck_load(gr + H + j), nv = ck_load(gr + 2 * H + j);
        VF dhv = ck_load(dh_above + j) + ck_load(dh + j);
        VF dan = dhv * (1.0f - z) * (1.0f - nv * nv);
        VF dar = dan * ck_load(hn + j) * r * (1.0f - r);
        VF daz = dhv * (ck_load(h_prev + j) - nv) * z * (1.0f - z);
        ck_store(dgh + j, dar); ck_store(dgh + H + j, daz); ck_store(dgh + 2 * H + j, dan * r);
        ck_store(dgx + j, dar); ck_store(dgx + H + j, daz); ck_store(dgx + 2 * H + j, dan);
        ck_store(dh + j, dhv * z);
    }
    for (; j < H; j++) {
        float r = gr[j], z = gr[H + j], nv = gr[2 * H + j];
        float dhv = dh_above[j] + dh[j];
        float dan = dhv * (1 - z) * (1 - nv * nv);
        float dar = dan * hn[j] * r * (1 - r);
        float daz = dhv * (h_prev[j] - nv) * z * (1 - z);
        dgh[j] = dar; dgh[H + j] = daz; dgh[2 * H + j] = dan * r;
        dgx[j] = dar; dgx[H + j] = daz; dgx[2 * H + j] = dan;
        dh[j] = dhv * z;
    }
}

// MARK: softmax, optimizer, sums

CK_TARGET static float CK_NAME(softmax)(float *row, long n) {
    float mx = -INFINITY;
    for (long j = 0; j < n; j++) if (row[j] > mx) mx = row[j];
    VF acc = ck_splat(0);
    float s = 0;
    long j = 0;
    for (; j + CK_W <= n; j += CK_W) {
        VF e = CK_NAME(vexp)(ck_load(row + j) - mx);
        ck_store(row + j, e);
        acc += e;
    }
    for (; j < n; j++) { float e = expf(row[j] - mx); row[j] = e; s += e; }
    s += ck_sum(acc);
    float inv = 1 / s;
    for (j = 0; j < n; j++) row[j] *= inv;
    return mx + logf(s);
}

CK_TARGET static void CK_NAME(adam)(float *p, const float *g, float *m, float *v, const float *mask, long n,
                                    float b1, float b2, float step_size, float bc2_root, float eps, float decay) {
    long i = 0;
    for (; i + CK_W <= n; i += CK_W) {
        VF gi = ck_load(g + i);
        VF mi = b1 * ck_load(m + i) + (1 - b1) * gi;
        VF vi = b2 * ck_load(v + i) + (1 - b2) * gi * gi;
        ck_store(m + i, mi); ck_store(v + i, vi);
        VF pi = ck_load(p + i);
        if (mask) pi -= decay * ck_load(mask + i) * pi;
        ck_store(p + i, pi - step_size * mi / (ck_sqrt(vi) / bc2_root + eps));
    }
    for (; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1 - b1) * gi;
        float vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        float pi = p[i];
        if (mask) pi -= decay * mask[i] * pi;
        p[i] = pi - step_size * mi / (sqrtf(vi) / bc2_root + eps);
    }
}

CK_TARGET static double CK_NAME(sum_squares)(const float *x, long n) {
    double s = 0;
    for (long i = 0; i < n; i += 4096) {
        long end = n < i + 4096 ? n : i + 4096, j = i;
        VF acc = ck_splat(0);
        for (; j + CK_W <= end; j += CK_W) { VF a = ck_load(x + j); acc += a * a; }
        float tail = 0;
        for (; j < end; j++) tail += x[j] * x[j];
        s += (double)ck_sum(acc) + (double)tail;
    }
    return s;
}

CK_TARGET static void CK_NAME(add)(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + CK_W <= n; i += CK_W) ck_store(dst + i, ck_load(dst + i) + ck_load(src + i));
    for (; i < n; i++) dst[i] += src[i];
}

CK_TARGET static void CK_NAME(multiply)(float *dst, const float *msk, long n) {
    long i = 0;
    for (; i + CK_W <= n; i += CK_W) ck_store(dst + i, ck_load(dst + i) * ck_load(msk + i));
    for (; i < n; i++) dst[i] *= msk[i];
}

CK_TARGET static void CK_NAME(column_sums)(const float *a, long rows, long cols, float *dst) {
    for (long r = 0; r < rows; r++) CK_NAME(add)(dst, a + r * cols, cols);
}

// MARK: matrix-vector products (sampling)

CK_TARGET static void CK_NAME(gemv)(long n, long k, const float *w, const float *x, float *y, int accumulate) {
    long kw = k / CK_W * CK_W, i = 0;
    for (; i + 4 <= n; i += 4) {
        const float *w0 = w + i * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
        VF s0 = ck_splat(0), s1 = s0, s2 = s0, s3 = s0;
        long p = 0;
        for (; p < kw; p += CK_W) {
            VF xv = ck_load(x + p);
            s0 += ck_load(w0 + p) * xv; s1 += ck_load(w1 + p) * xv;
            s2 += ck_load(w2 + p) * xv; s3 += ck_load(w3 + p) * xv;
        }
        float r0 = ck_sum(s0), r1 = ck_sum(s1), r2 = ck_sum(s2), r3 = ck_sum(s3);
        for (; p < k; p++) { float xv = x[p]; r0 += w0[p] * xv; r1 += w1[p] * xv; r2 += w2[p] * xv; r3 += w3[p] * xv; }
        if (accumulate) { y[i] += r0; y[i + 1] += r1; y[i + 2] += r2; y[i + 3] += r3; }
        else { y[i] = r0; y[i + 1] = r1; y[i + 2] = r2; y[i + 3] = r3; }
    }
    for (; i < n; i++) {
        const float *wi = w + i * k;
        VF s = ck_splat(0);
        long p = 0;
        for (; p < kw; p += CK_W) s += ck_load(wi + p) * ck_load(x + p);
        float r = ck_sum(s);
        for (; p < k; p++) r += wi[p] * x[p];
        y[i] = accumulate ? y[i] + r : r;
    }
}

// bf16 weights: two share each 32-bit lane; lane << 16 is the even one as a float and
// lane & 0xFFFF0000 the odd one, so x is split into its even and odd elements first.
CK_TARGET CK_INLINE void CK_NAME(bf16_pairs)(const uint16_t *p, VF *even, VF *odd) {
    VU v = ck_loadu((const uint32_t *)(const void *)p);
    *even = (VF)(v << 16);
    *odd = (VF)(v & 0xFFFF0000u);
}

static inline float CK_NAME(bf16_float)(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

// An odd k's last pair is (x[k-1], 0), so the odd half of the row's last pair, its padding, adds 0.
CK_TARGET static void CK_NAME(gemv_bf16)(long n, long k, long ldw, const uint16_t *w, const float *x, float *y,
                                         int accumulate, float *scratch) {
    long pairs = (k + 1) / 2;
    float *xe = scratch, *xo = scratch + pairs;
    for (long j = 0; j < k / 2; j++) { xe[j] = x[2 * j]; xo[j] = x[2 * j + 1]; }
    if (k % 2) { xe[pairs - 1] = x[k - 1]; xo[pairs - 1] = 0; }
    long blocks = ldw % 2 == 0 ? pairs / CK_W * CK_W : 0;  // rows start on a pair only with an even ldw
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        const uint16_t *w0 = w + i * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
        VF s0 = ck_splat(0), s1 = s0, s2 = s0, s3 = s0, a, b;
        for (long q = 0; q < blocks; q += CK_W) {
            VF e = ck_load(xe + q), o = ck_load(xo + q);
            CK_NAME(bf16_pairs)(w0 + 2 * q, &a, &b); s0 += a * e; s0 += b * o;
            CK_NAME(bf16_pairs)(w1 + 2 * q, &a, &b); s1 += a * e; s1 += b * o;
            CK_NAME(bf16_pairs)(w2 + 2 * q, &a, &b); s2 += a * e; s2 += b * o;
            CK_NAME(bf16_pairs)(w3 + 2 * q, &a, &b); s3 += a * e; s3 += b * o;
        }
        float r0 = ck_sum(s0), r1 = ck_sum(s1), r2 = ck_sum(s2), r3 = ck_sum(s3);
        for (long p = 2 * blocks; p < k; p++) {  // 2·blocks may pass k by the padding: then no tail
            float xv = x[p];
            r0 += CK_NAME(bf16_float)(w0[p]) * xv; r1 += CK_NAME(bf16_float)(w1[p]) * xv;
            r2 += CK_NAME(bf16_float)(w2[p]) * xv; r3 += CK_NAME(bf16_float)(w3[p]) * xv;
        }
        if (accumulate) { y[i] += r0; y[i + 1] += r1; y[i + 2] += r2; y[i + 3] += r3; }
        else { y[i] = r0; y[i + 1] = r1; y[i + 2] = r2; y[i + 3] = r3; }
    }
    for (; i < n; i++) {
        const uint16_t *wi = w + i * ldw;
        VF s = ck_splat(0), a, b;
        for (long q = 0; q < blocks; q += CK_W) {
            CK_NAME(bf16_pairs)(wi + 2 * q, &a, &b);
            s += a * ck_load(xe + q); s += b * ck_load(xo + q);
        }
        float r = ck_sum(s);
        for (long p = 2 * blocks; p < k; p++) r += CK_NAME(bf16_float)(wi[p]) * x[p];
        y[i] = accumulate ? y[i] + r : r;
    }
}

// MARK: the table

static const ck_table CK_NAME(table) = {
    .name = CK_VARIANT_NAME,
    .kc = CK_KC,
    .micro = CK_NAME(micro),
    .gemv = CK_NAME(gemv),
    .gemv_bf16 = CK_NAME(gemv_bf16),
    .lstm_forward = CK_NAME(lstm_forward),
    .lstm_backward = CK_NAME(lstm_backward),
    .gru_forward = CK_NAME(gru_forward),
    .gru_backward = CK_NAME(gru_backward),
    .softmax = CK_NAME(softmax),
    .adam = CK_NAME(adam),
    .sum_squares = CK_NAME(sum_squares),
    .add = CK_NAME(add),
    .multiply = CK_NAME(multiply),
    .column_sums = CK_NAME(column_sums),
    .exp_n = CK_NAME(exp_n),
    .sigmoid_n = CK_NAME(sigmoid_n),
    .tanh_n = CK_NAME(tanh_n),
};

const ck_table *CK_NAME(ck_table)(void) { return &CK_NAME(table); }
