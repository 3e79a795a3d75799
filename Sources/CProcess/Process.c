// The one process call Swift cannot make itself (prctl is variadic).
#include "CProcess.h"

#if defined(__linux__)
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int charrnn_end_with_parent(int parent) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    return getppid() == parent;
}
#else
int charrnn_end_with_parent(int parent) {
    (void)parent;
    return 1;
}
#endif
