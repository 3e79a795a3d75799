// GFLOP/s of charrnn's matrix products in C alone: one static program for a machine without Swift
// (bench/device-check.sh builds it). ck_gemm (fp32) and ck_gemm_bf16 on every bf16 path this CPU
// runs with an instruction (AMX tiles, vdpbf16ps), at the shapes one worker's step of the 2×512 and
// 2×128 yardstick models runs, on each thread count given (default: 1 and every core). With N
// threads each thread runs its own product on its own buffers, as training splits the batch, and
// the figure is their total. Each figure is the best of three rounds of at least 0.2 s.
//
//   kernel_speed [THREADS...]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "CKernels.h"

typedef struct {
    const char *name;
    long m, n, k;
    int transposed;  // A stored [K,M] (the weight-gradient product's Xᵀ·dG)
} shape;

static const shape shapes[] = {
    {"1024^3 (the ceiling)", 1024, 1024, 1024, 0},
    {"2x512 recurrent, batch 32", 32, 2048, 512, 0},
    {"2x512 input projection, 32x64 chars", 2048, 2048, 512, 0},
    {"2x512 weight gradient, 2048 chars", 512, 2048, 2048, 1},
    {"2x128 recurrent, batch 25", 25, 512, 128, 0},
};

typedef struct {
    const shape *s;
    const char *path;  // NULL: fp32
    long repeats;
    float *a, *c, *b32, *scratch32;
    uint16_t *b16, *scratch16;
    pthread_barrier_t *start;
    double seconds;
} job;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *filled(long n) {
    float *p = malloc(sizeof(float) * (n > 0 ? n : 1));
    for (long i = 0; i < n; i++) p[i] = (float)((i * 7919 % 1000) / 1000.0 - 0.5);
    return p;
}

static void product(job *j) {
    const shape *s = j->s;
    long ars = s->transposed ? 1 : s->k, acs = s->transposed ? s->m : 1;
    if (j->path) ck_gemm_bf16(s->m, s->n, s->k, j->a, ars, acs, j->b16, j->c, s->n, 0, j->scratch16);
    else ck_gemm(s->m, s->n, s->k, j->a, ars, acs, j->b32, j->c, s->n, 0, j->scratch32);
}

static void *run(void *arg) {
    job *j = arg;
    product(j);  // warm: packs, tiles, caches
    pthread_barrier_wait(j->start);
    double t0 = now();
    for (long r = 0; r < j->repeats; r++) product(j);
    j->seconds = now() - t0;
    return NULL;
}

static void prepare(job *j, const shape *s, const char *path) {
    memset(j, 0, sizeof *j);
    j->s = s; j->path = path;
    j->a = filled(s->m * s->k); j->c = filled(s->m * s->n);
    if (path) {
        float *b = filled(s->k * s->n);
        j->b16 = malloc(sizeof(uint16_t) * ck_bf16_panels_count(s->k, s->n));
        ck_bf16_pack_rows(b, s->n, s->k, s->n, j->b16);
        j->scratch16 = malloc(sizeof(uint16_t) * ck_bf16_scratch_count());
        free(b);
    } else {
        j->b32 = filled((s->n + 31) / 32 * 32 * s->k);
        j->scratch32 = malloc(sizeof(float) * ck_gemm_scratch_count());
    }
}

static void release(job *j) {
    free(j->a); free(j->c); free(j->b32); free(j->scratch32); free(j->b16); free(j->scratch16);
}

/// Total GFLOP/s of `threads` threads, each running the product `repeats` times: the best of 3.
static double measure(const shape *s, const char *path, int threads) {
    job *jobs = malloc(sizeof(job) * threads);
    pthread_t *ids = malloc(sizeof(pthread_t) * threads);
    for (int t = 0; t < threads; t++) prepare(&jobs[t], s, path);
    double flops = 2.0 * s->m * s->n * s->k, best = 0;
    long repeats = 1;
    for (int round = 0; round < 4; round++) {
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, (unsigned)threads);
        for (int t = 0; t < threads; t++) {
            jobs[t].repeats = repeats; jobs[t].start = &start;
            pthread_create(&ids[t], NULL, run, &jobs[t]);
        }
        double slowest = 0;
        for (int t = 0; t < threads; t++) {
            pthread_join(ids[t], NULL);
            if (jobs[t].seconds > slowest) slowest = jobs[t].seconds;
        }
        pthread_barrier_destroy(&start);
        if (round == 0) {  // calibration: then rounds of at least 0.2 s
            repeats = (long)(0.2 / (slowest > 1e-6 ? slowest : 1e-6)) + 1;
            continue;
        }
        double rate = flops * repeats * threads / slowest / 1e9;
        if (rate > best) best = rate;
    }
    for (int t = 0; t < threads; t++) release(&jobs[t]);
    free(jobs); free(ids);
    return best;
}

int main(int argc, char **argv) {
    int counts[16], n = 0;
    for (int i = 1; i < argc && n < 16; i++) counts[n++] = atoi(argv[i]);
    if (n == 0) {
        counts[n++] = 1;
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        if (cores > 1) counts[n++] = (int)cores;
    }
    for (int i = 0; i < n; i++)
        if (counts[i] < 1 || counts[i] > 1024) { fprintf(stderr, "kernel_speed: error: threads must be 1 to 1024\n"); return 2; }
    const char *candidates[] = {"avx512_bf16", "amx"}, *paths[2];
    int bf16 = 0;
    for (int p = 0; p < 2; p++)
        if (ck_bf16_use(candidates[p])) paths[bf16++] = candidates[p];
    ck_bf16_use(NULL);
    printf("kernels: %s (CPU features: %s); AMX: %s\n", ck_variant(), ck_cpu_features(), ck_bf16_amx_status());
    printf("GFLOP/s (total over the threads; each thread its own product)\n");
    printf("%-52s %7s %9s", "product (M x N x K)", "threads", "fp32");
    for (int p = 0; p < bf16; p++) printf(" %12s", paths[p]);
    printf("\n");
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int i = 0; i < n; i++) {
            char label[96];
            snprintf(label, sizeof label, "%s (%ldx%ldx%ld)", shapes[s].name, shapes[s].m, shapes[s].n, shapes[s].k);
            printf("%-52s %7d %9.1f", label, counts[i], measure(&shapes[s], NULL, counts[i]));
            for (int p = 0; p < bf16; p++) {
                ck_bf16_use(paths[p]);
                printf(" %12.1f", measure(&shapes[s], paths[p], counts[i]));
            }
            ck_bf16_use(NULL);
            printf("\n");
            fflush(stdout);
        }
    return 0;
}
