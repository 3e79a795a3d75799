#ifndef CHARRNN_CPU_CHECK_H
#define CHARRNN_CPU_CHECK_H

/// Returns 1 when this CPU has the instruction-set level the binary was compiled for (always 1 for
/// a native build). The same check runs once before `main`, and on failure prints one line
/// (`charrnn: error: …`) and exits with status 1 instead of dying later with SIGILL.
int charrnn_cpu_supported(void);

#endif
