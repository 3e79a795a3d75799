#ifndef CHARRNN_PROCESS_H
#define CHARRNN_PROCESS_H

/// Asks the kernel to send this process SIGTERM when its parent ends (Linux: PR_SET_PDEATHSIG),
/// then checks that the parent is still `parent`. Returns 1 when it is (or where the request does
/// not exist), 0 when the parent has already gone. A study's training processes call it, so that
/// none outlives a killed `charrnn study run`.
int charrnn_end_with_parent(int parent);

#endif
