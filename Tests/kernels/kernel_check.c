// The kernels against naive references, in C alone, built as one static program: for arm64 under
// qemu-aarch64 (Tests/neon-check.sh: the portable variant, NEON in the arm64 baseline), and for an
// x86-64 machine without Swift (bench/device-check.sh: the variant dispatch picks there). Checks
// what KernelTests checks in Swift: the matrix product in all three layouts on odd sizes, gemv in
// fp32 and bf16, the nonlinearities, softmax, the LSTM and GRU cells against their equations in
// double precision, Adam, and the bf16 product on every path this CPU runs (the C models of AMX
// and AVX512_BF16 everywhere, the instructions where they exist) against the naive product of
// bf16-rounded inputs; where an instruction exists, its path and its model's give the same bits.
// Prints one line per failure and ends with "N passed, M failed".
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CKernels.h"

static int passed, failed;
static unsigned long long state = 88172645463325252ull;

static float uniform(void) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return (float)((state >> 40) / 16777216.0) * 2 - 1;
}

static float *randoms(long n) {
    float *p = malloc(sizeof(float) * (n > 0 ? n : 1));
    for (long i = 0; i < n; i++) p[i] = uniform();
    return p;
}

static void expect(int ok, const char *what) {
    if (ok) passed++;
    else { failed++; printf("FAILED: %s\n", what); }
}

static double worst_relative(const float *a, const float *b, long n) {
    double scale = 1e-6, worst = 0;
    for (long i = 0; i < n; i++) scale = fabs(b[i]) > scale ? fabs(b[i]) : scale;
    for (long i = 0; i < n; i++) worst = fabs(a[i] - b[i]) > worst ? fabs(a[i] - b[i]) : worst;
    return worst / scale;
}

static void pack_panels(const float *b, long k, long n, float *dst) {
    long panels = (n + 31) / 32;
    for (long p = 0; p < panels; p++)
        for (long kk = 0; kk < k; kk++)
            for (long j = 0; j < 32; j++) dst[(p * k + kk) * 32 + j] = p * 32 + j < n ? b[kk * n + p * 32 + j] : 0;
}

static void check_gemm(void) {
    long sizes[][3] = {{1, 1, 1}, {5, 33, 7}, {7, 31, 300}, {13, 65, 17}, {25, 512, 128}, {6, 32, 257}, {50, 100, 3}};
    float *scratch = malloc(sizeof(float) * ck_gemm_scratch_count());
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        long m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
        for (int transposed = 0; transposed < 2; transposed++)
            for (int acc = 0; acc < 2; acc++) {
                float *a = randoms(m * k), *b = randoms(k * n), *c0 = randoms(m * n);
                float *fast = malloc(sizeof(float) * m * n), *slow = malloc(sizeof(float) * m * n);
                float *panels = malloc(sizeof(float) * ((n + 31) / 32) * 32 * k);
                memcpy(fast, c0, sizeof(float) * m * n); memcpy(slow, c0, sizeof(float) * m * n);
                long rs = transposed ? 1 : k, cs = transposed ? m : 1;
                pack_panels(b, k, n, panels);
                ck_gemm(m, n, k, a, rs, cs, panels, fast, n, acc, scratch);
                for (long i = 0; i < m; i++)
                    for (long j = 0; j < n; j++) {
                        float sum = 0;
                        for (long p = 0; p < k; p++) sum += a[i * rs + p * cs] * b[p * n + j];
                        slow[i * n + j] = acc ? slow[i * n + j] + sum : sum;
                    }
                char what[128];
                snprintf(what, sizeof what, "gemm %ldx%ldx%ld transposed=%d accumulate=%d", m, n, k, transposed, acc);
                expect(worst_relative(fast, slow, m * n) < 1e-5, what);
                free(a); free(b); free(c0); free(fast); free(slow); free(panels);
            }
    }
    free(scratch);
}

static uint16_t bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    return (uint16_t)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

static void check_gemv(void) {
    long sizes[][2] = {{1, 1}, {3, 17}, {65, 256}, {1024, 255}, {7, 33}, {5, 15}, {9, 64}};
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        long n = sizes[s][0], k = sizes[s][1];
        float *w = randoms(n * k), *x = randoms(k), *y = randoms(n), *yb = randoms(n), *ref = malloc(sizeof(float) * n);
        float *refb = malloc(sizeof(float) * n), *scratch = malloc(sizeof(float) * (k + 1));
        long ldw = (k + 1) / 2 * 2;  // rows padded to a pair, as the sampler stores them
        uint16_t *wb = calloc((size_t)(n * ldw), sizeof(uint16_t));
        for (long i = 0; i < n; i++)
            for (long p = 0; p < k; p++) wb[i * ldw + p] = bf16(w[i * k + p]);
        for (long i = 0; i < n; i++) {
            float s1 = 0, s2 = 0;
            for (long p = 0; p < k; p++) {
                uint32_t u = (uint32_t)wb[i * ldw + p] << 16;
                float r;
                memcpy(&r, &u, 4);
                s1 += w[i * k + p] * x[p]; s2 += r * x[p];
            }
            ref[i] = y[i] + s1; refb[i] = s2;
        }
        ck_gemv(n, k, w, x, y, 1);
        ck_gemv_bf16(n, k, ldw, wb, x, yb, 0, scratch);
        char what[64];
        snprintf(what, sizeof what, "gemv %ldx%ld", n, k);
        expect(worst_relative(y, ref, n) < 1e-5, what);
        snprintf(what, sizeof what, "bf16 gemv %ldx%ld", n, k);
        expect(worst_relative(yb, refb, n) < 1e-5, what);
        free(w); free(x); free(y); free(yb); free(ref); free(refb); free(scratch); free(wb);
    }
}

static void check_elementwise(void) {
    long n = 84512;
    float *x = malloc(sizeof(float) * n), *e = malloc(sizeof(float) * n), *s = malloc(sizeof(float) * n);
    float *t = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) x[i] = -30 + i * 0.00071f;
    ck_exp(x, e, n); ck_sigmoid(x, s, n); ck_tanh(x, t, n);
    double we = 0, ws = 0, wt = 0;
    for (long i = 0; i < n; i++) {
        double xe = exp((double)x[i]);
        we = fmax(we, fabs(e[i] - xe) / xe);
        ws = fmax(ws, fabs(s[i] - 1 / (1 + exp(-(double)x[i]))));
        wt = fmax(wt, fabs(t[i] - tanh((double)x[i])));
    }
    expect(we < 4e-7, "exp"); expect(ws < 3e-7, "sigmoid"); expect(wt < 4e-7, "tanh");
    float row[37];
    double z = 0;
    for (int j = 0; j < 37; j++) { row[j] = j * 0.37f - 4; z += exp((double)row[j]); }
    float logz = ck_softmax(row, 37), total = 0;
    for (int j = 0; j < 37; j++) total += row[j];
    expect(fabs(logz - log(z)) < 1e-5 && fabs(total - 1) < 1e-5, "softmax");
    free(x); free(e); free(s); free(t);
}

static double sig(double x) { return 1 / (1 + exp(-x)); }

static void check_cells(void) {
    long widths[] = {3, 16, 21, 64};
    for (unsigned w = 0; w < 4; w++) {
        long H = widths[w];
        float *pre = randoms(4 * H), *cp = randoms(H), *dha = randoms(H), *dhn = randoms(H), *dc0 = randoms(H);
        float *g = malloc(sizeof(float) * 4 * H), *c = malloc(sizeof(float) * H), *tc = malloc(sizeof(float) * H);
        float *h = malloc(sizeof(float) * H), *dg = malloc(sizeof(float) * 4 * H), *dc = malloc(sizeof(float) * H);
        memcpy(g, pre, sizeof(float) * 4 * H); memcpy(dc, dc0, sizeof(float) * H);
        ck_lstm_cell_forward(g, cp, c, tc, h, H, H);
        ck_lstm_cell_backward(g, dg, cp, tc, dha, dhn, dc, H);
        double worst = 0;
        for (long j = 0; j < H; j++) {
            double i = sig(pre[j]), f = sig(pre[H + j]), gg = tanh(pre[2 * H + j]), o = sig(pre[3 * H + j]);
            double cn = f * cp[j] + i * gg, dhv = (double)dha[j] + dhn[j];
            double dcv = dc0[j] + dhv * o * (1 - tanh(cn) * tanh(cn));
            double d[][2] = {{c[j], cn}, {h[j], o * tanh(cn)}, {dg[j], dcv * gg * i * (1 - i)},
                             {dg[H + j], dcv * cp[j] * f * (1 - f)}, {dg[2 * H + j], dcv * i * (1 - gg * gg)},
                             {dg[3 * H + j], dhv * tanh(cn) * o * (1 - o)}, {dc[j], dcv * f}};
            for (int q = 0; q < 7; q++) worst = fmax(worst, fabs(d[q][0] - d[q][1]));
        }
        expect(worst < 2e-6, "LSTM cell");
        // GRU: gates r, z, n from pre (3H) and hp (3H).
        float *hp = randoms(3 * H), *bhn = randoms(H), *hn = malloc(sizeof(float) * H);
        float *dgh = malloc(sizeof(float) * 3 * H), *dgx = malloc(sizeof(float) * 3 * H), *dh = randoms(H);
        float *dh0 = malloc(sizeof(float) * H);
        memcpy(dh0, dh, sizeof(float) * H);
        memcpy(g, pre, sizeof(float) * 3 * H);
        ck_gru_cell_forward(g, hp, bhn, cp, hn, h, H, H);
        ck_gru_cell_backward(g, dgh, dgx, cp, hn, dha, dh, H);
        worst = 0;
        for (long j = 0; j < H; j++) {
            double r = sig((double)pre[j] + hp[j]), z = sig((double)pre[H + j] + hp[H + j]);
            double hnv = (double)hp[2 * H + j] + bhn[j], nn = tanh(pre[2 * H + j] + r * hnv);
            double dhv = (double)dha[j] + dh0[j], dan = dhv * (1 - z) * (1 - nn * nn);
            double d[][2] = {{h[j], (1 - z) * nn + z * cp[j]}, {hn[j], hnv}, {dgx[j], dan * hnv * r * (1 - r)},
                             {dgx[H + j], dhv * (cp[j] - nn) * z * (1 - z)}, {dgx[2 * H + j], dan},
                             {dgh[2 * H + j], dan * r}, {dh[j], dhv * z}};
            for (int q = 0; q < 7; q++) worst = fmax(worst, fabs(d[q][0] - d[q][1]));
        }
        expect(worst < 2e-6, "GRU cell");
        free(pre); free(cp); free(dha); free(dhn); free(dc0); free(g); free(c); free(tc); free(h); free(dg);
        free(dc); free(hp); free(bhn); free(hn); free(dgh); free(dgx); free(dh); free(dh0);
    }
}

static void check_adam(void) {
    long n = 1007;
    float *p = randoms(n), *g = randoms(n), *m = randoms(n), *v = randoms(n), *ref = malloc(sizeof(float) * n);
    for (long i = 0; i < n; i++) {
        v[i] = fabsf(v[i]);
        float mi = 0.9f * m[i] + 0.1f * g[i], vi = 0.999f * v[i] + 0.001f * g[i] * g[i];
        ref[i] = p[i] - 0.01f * mi / (sqrtf(vi) / 0.5f + 1e-8f);
    }
    ck_adam(p, g, m, v, NULL, n, 0.9f, 0.999f, 0.01f, 0.5f, 1e-8f, 0);
    expect(worst_relative(p, ref, n) < 1e-5, "Adam");
    double squares = 0;
    for (long i = 0; i < n; i++) squares += (double)g[i] * g[i];
    expect(fabs(ck_sum_squares(g, n) - squares) < 1e-5 * squares, "sum of squares");
    free(p); free(g); free(m); free(v); free(ref);
}

static float widened(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static const char *bf16_paths[] = {"amx", "avx512_bf16", "amx-model", "avx512_bf16-model"};

static void check_gemm_bf16(void) {
    long sizes[][3] = {{1, 1, 1}, {5, 33, 7}, {17, 32, 32}, {9, 31, 513}, {40, 70, 45}, {64, 200, 520}};
    uint16_t *scratch = malloc(sizeof(uint16_t) * ck_bf16_scratch_count());
    for (unsigned p = 0; p < 4; p++) {
        int model = p >= 2;
        if (!ck_bf16_use(bf16_paths[p])) {
            expect(!model, bf16_paths[p]);  // a model runs everywhere
            printf("bf16 path %s: not on this CPU\n", bf16_paths[p]);
            continue;
        }
        printf("bf16 path %s: checked%s\n", bf16_paths[p], model ? " (a C model of the instruction)" : " (the instruction)");
        for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            long m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
            float *a = randoms(m * k), *b = randoms(k * n), *c = randoms(m * n), *ref = malloc(sizeof(float) * m * n);
            uint16_t *panels = malloc(sizeof(uint16_t) * ck_bf16_panels_count(k, n));
            ck_bf16_pack_rows(b, n, k, n, panels);
            for (long i = 0; i < m; i++)
                for (long j = 0; j < n; j++) {
                    double sum = c[i * n + j];
                    for (long q = 0; q < k; q++)
                        sum += (double)widened(ck_bf16_round(a[i * k + q])) * widened(ck_bf16_round(b[q * n + j]));
                    ref[i * n + j] = (float)sum;
                }
            ck_gemm_bf16(m, n, k, a, k, 1, panels, c, n, 1, scratch);
            char what[96];
            snprintf(what, sizeof what, "bf16 product (%s) %ldx%ldx%ld", bf16_paths[p], m, n, k);
            expect(worst_relative(c, ref, m * n) < 1e-5, what);
            free(a); free(b); free(c); free(ref); free(panels);
        }
    }
    ck_bf16_use(NULL);
#if defined(__aarch64__)
    expect(strcmp(ck_bf16_path(), "avx512_bf16-model") == 0 && !ck_bf16_hardware(), "no bf16 instruction on arm64");
#endif
    free(scratch);
}

// Ordinary values with, one in `special`, a bf16 denormal, a huge value, an infinity or a NaN.
static float bf16_test_value(int special) {
    float u = uniform();
    if ((state >> 20) % (unsigned long long)special) return u * 4;
    switch ((state >> 8) % 4) {
    case 0: return u * 1e-39f;
    case 1: return u * 3e38f;
    case 2: return u > 0 ? INFINITY : -INFINITY;
    default: return NAN;
    }
}

static int same_bits(float a, float b) {
    uint32_t x, y;
    memcpy(&x, &a, 4); memcpy(&y, &b, 4);
    return x == y || (a != a && b != b);
}

// An instruction's path and its model's run the same blocking, so whole products agree bit for bit
// (NaNs as NaNs), denormals, overflow and special values included.
static void check_instruction_against_model(const char *instruction, const char *model) {
    if (!ck_bf16_use(instruction)) {
        printf("%s against its model bit for bit: skipped (%s)\n", instruction,
               strcmp(instruction, "amx") == 0 ? ck_bf16_amx_status() : "this CPU has no AVX512_BF16");
        return;
    }
    long sizes[][3] = {{1, 1, 2}, {16, 32, 32}, {37, 70, 45}, {64, 96, 520}, {5, 33, 1031}};
    uint16_t *scratch = malloc(sizeof(uint16_t) * ck_bf16_scratch_count());
    long mismatches = 0, compared = 0;
    for (int trial = 0; trial < 20; trial++) {
        long m = sizes[trial % 5][0], n = sizes[trial % 5][1], k = sizes[trial % 5][2];
        int special = trial < 10 ? 50 : 1000;
        float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
        float *c1 = malloc(sizeof(float) * m * n), *c2 = malloc(sizeof(float) * m * n);
        for (long i = 0; i < m * k; i++) a[i] = bf16_test_value(special);
        for (long i = 0; i < k * n; i++) b[i] = bf16_test_value(special);
        for (long i = 0; i < m * n; i++) c1[i] = c2[i] = bf16_test_value(special);
        uint16_t *panels = malloc(sizeof(uint16_t) * ck_bf16_panels_count(k, n));
        ck_bf16_pack_rows(b, n, k, n, panels);
        ck_bf16_use(instruction);
        ck_gemm_bf16(m, n, k, a, k, 1, panels, c1, n, trial % 2, scratch);
        ck_bf16_use(model);
        ck_gemm_bf16(m, n, k, a, k, 1, panels, c2, n, trial % 2, scratch);
        for (long i = 0; i < m * n; i++) {
            compared++;
            if (!same_bits(c1[i], c2[i]) && mismatches++ < 5)
                printf("%s %ldx%ldx%ld element %ld: instruction %.9g, model %.9g\n", instruction, m, n, k, i, c1[i], c2[i]);
        }
        free(a); free(b); free(c1); free(c2); free(panels);
    }
    char what[96];
    snprintf(what, sizeof what, "%s and %s: the same bits (%ld elements)", instruction, model, compared);
    expect(mismatches == 0, what);
    printf("%s against its model bit for bit: %ld of %ld elements differ\n", instruction, mismatches, compared);
    ck_bf16_use(NULL);
    free(scratch);
}

int main(void) {
    printf("kernels: %s (CPU features: %s)\n", ck_variant(), ck_cpu_features());
    printf("bf16: %s path by default; AMX: %s\n", ck_bf16_path(), ck_bf16_amx_status());
    check_gemm(); check_gemv(); check_elementwise(); check_cells(); check_adam(); check_gemm_bf16();
    check_instruction_against_model("avx512_bf16", "avx512_bf16-model");
    check_instruction_against_model("amx", "amx-model");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
