// Chooses the variant once per process: CPUID says what the CPU has, XCR0 (read with xgetbv) what
// the OS saves on a context switch; a feature counts only with both. CHARRNN_KERNELS may name a
// variant (for tests and bug reports); one the CPU cannot run is refused and the best one is used,
// with the reason kept for ck_selection_error.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "CKernels.h"
#include "Dispatch.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

enum {
    F_SSE2 = 1 << 0, F_AVX2 = 1 << 1, F_FMA = 1 << 2, F_AVX512F = 1 << 3, F_AVX512BW = 1 << 4,
    F_AVX512VL = 1 << 5, F_AVX512DQ = 1 << 6, F_AVX512BF16 = 1 << 7, F_AMXTILE = 1 << 8, F_AMXBF16 = 1 << 9,
    F_NEON = 1 << 10,
};

static const struct { int bit; const char *name; } feature_names[] = {
    {F_SSE2, "sse2"}, {F_NEON, "neon"}, {F_AVX2, "avx2"}, {F_FMA, "fma"}, {F_AVX512F, "avx512f"},
    {F_AVX512BW, "avx512bw"}, {F_AVX512VL, "avx512vl"}, {F_AVX512DQ, "avx512dq"},
    {F_AVX512BF16, "avx512_bf16"}, {F_AMXTILE, "amx_tile"}, {F_AMXBF16, "amx_bf16"},
};

static int features;
static char feature_text[160];
static char selection_error[256];
static const ck_table *active;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__)
static unsigned long long read_xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static int detect(void) {
    unsigned int a, b, c, d;
    int f = F_SSE2;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_saved = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
    int zmm_saved = ymm_saved && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM_Hi256, Hi16_ZMM
    int tiles_saved = (xcr0 & 0x60000) == 0x60000;  // XTILECFG, XTILEDATA
    if (!avx || !ymm_saved) return f;
    if (fma) f |= F_FMA;
    if (__get_cpuid_max(0, 0) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    if ((b >> 5) & 1) f |= F_AVX2;
    if (zmm_saved) {
        if ((b >> 16) & 1) f |= F_AVX512F;
        if ((b >> 17) & 1) f |= F_AVX512DQ;
        if ((b >> 30) & 1) f |= F_AVX512BW;
        if ((b >> 31) & 1) f |= F_AVX512VL;
    }
    if (tiles_saved) {
        if ((d >> 24) & 1) f |= F_AMXTILE;
        if ((d >> 22) & 1) f |= F_AMXBF16;
    }
    unsigned int max_sub = a;
    if (max_sub >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        if (zmm_saved && ((a >> 5) & 1)) f |= F_AVX512BF16;
    }
    return f;
}
#else
static int detect(void) { return F_NEON; }
#endif

typedef struct {
    const char *name;
    int needs;
    const ck_table *(*table)(void);
} variant;

static const variant variants[] = {
#if defined(__x86_64__)
    {"avx512", F_AVX512F | F_AVX512BW | F_AVX512VL | F_AVX512DQ | F_AVX2 | F_FMA, ck_table_avx512},
    {"avx2", F_AVX2 | F_FMA, ck_table_avx2},
#endif
    {"baseline", 0, ck_table_baseline},
};
#define VARIANT_COUNT (sizeof variants / sizeof variants[0])

static const variant *find(const char *name) {
    for (unsigned i = 0; i < VARIANT_COUNT; i++)
        if (strcmp(variants[i].name, name) == 0) return &variants[i];
    return NULL;
}

/// The first feature `v` needs that the CPU lacks, or NULL.
static const char *missing(const variant *v) {
    for (unsigned i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if ((v->needs & feature_names[i].bit) && !(features & feature_names[i].bit)) return feature_names[i].name;
    return NULL;
}

static void choose(void) {
    features = detect();
    size_t used = 0;
    for (unsigned i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (features & feature_names[i].bit)
            used += snprintf(feature_text + used, sizeof feature_text - used, "%s%s", used ? " " : "",
                             feature_names[i].name);
    for (unsigned i = 0; i < VARIANT_COUNT && !active; i++)
        if (!missing(&variants[i])) active = variants[i].table();
    const char *wanted = getenv("CHARRNN_KERNELS");
    if (!wanted || !*wanted) return;
    const variant *v = find(wanted);
    if (!v) {
        size_t n = snprintf(selection_error, sizeof selection_error, "CHARRNN_KERNELS=%s names no kernel variant (",
                            wanted);
        for (unsigned i = 0; i < VARIANT_COUNT; i++)
            n += snprintf(selection_error + n, sizeof selection_error - n, "%s%s", i ? ", " : "", variants[i].name);
        snprintf(selection_error + n, sizeof selection_error - n, ")");
    } else if (missing(v)) {
        snprintf(selection_error, sizeof selection_error,
                 "CHARRNN_KERNELS=%s needs %s, which this CPU (or its operating system) does not provide", wanted,
                 missing(v));
    } else {
        active = v->table();
    }
}

static void ensure(void) { pthread_once(&once, choose); }

const ck_table *ck_active(void) {
    const ck_table *t = __atomic_load_n(&active, __ATOMIC_ACQUIRE);
    if (__builtin_expect(t != NULL, 1)) return t;
    ensure();
    return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

const char *ck_cpu_vendor(void) {
    static char vendor[13];
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!vendor[0] && __get_cpuid(0, &a, &b, &c, &d)) {
        memcpy(vendor, &b, 4);
        memcpy(vendor + 4, &d, 4);
        memcpy(vendor + 8, &c, 4);
    }
#endif
    return vendor;
}

const char *ck_variant(void) { return ck_active()->name; }
const char *ck_cpu_features(void) { ensure(); return feature_text; }
const char *ck_selection_error(void) { ensure(); return selection_error[0] ? selection_error : NULL; }

int ck_cpu_has(const char *feature) {
    ensure();
    for (unsigned i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (strcmp(feature_names[i].name, feature) == 0) return (features & feature_names[i].bit) != 0;
    return 0;
}

int ck_supported(const char *name) {
    ensure();
    const variant *v = find(name);
    return v && !missing(v);
}

int ck_use(const char *name) {
    ensure();
    const variant *v = find(name);
    if (!v || missing(v)) return -1;
    __atomic_store_n(&active, v->table(), __ATOMIC_RELEASE);
    return 0;
}
