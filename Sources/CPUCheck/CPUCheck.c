// The start-up check of a binary built for a named CPU level (`make portable`: x86-64-v3). It is
// compiled for the baseline x86-64 target, so it runs on any x86-64 CPU, and it runs as a
// constructor, before any Swift code that may use AVX2 or FMA.
#include "CPUCheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(CHARRNN_REQUIRED_CPU) && defined(__x86_64__)
static int level_supported(const char *level) {
    __builtin_cpu_init();
    if (strcmp(level, "x86-64-v2") == 0) return __builtin_cpu_supports("x86-64-v2");
    if (strcmp(level, "x86-64-v3") == 0) return __builtin_cpu_supports("x86-64-v3");
    if (strcmp(level, "x86-64-v4") == 0) return __builtin_cpu_supports("x86-64-v4");
    return 1;  // A named microarchitecture: not checked.
}

int charrnn_cpu_supported(void) { return level_supported(CHARRNN_REQUIRED_CPU); }

__attribute__((constructor)) static void charrnn_check_cpu(void) {
    if (!charrnn_cpu_supported()) {
        fprintf(stderr, "charrnn: error: this binary was built for %s CPUs%s and this CPU lacks "
                        "instructions it needs; build charrnn on this machine instead (make install)\n",
                CHARRNN_REQUIRED_CPU,
                strcmp(CHARRNN_REQUIRED_CPU, "x86-64-v3") == 0 ? " (AVX2 and FMA)" : "");
        exit(1);
    }
}
#else
int charrnn_cpu_supported(void) { return 1; }
#endif
