#ifndef CHARRNN_DISPATCH_H
#define CHARRNN_DISPATCH_H
#include <string.h>
#include "VectorTypes.h"

/// The variant in use (chosen on first use).
const ck_table *ck_active(void);

#endif
