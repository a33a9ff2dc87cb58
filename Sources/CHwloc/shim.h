#ifndef TESSERA_CHWLOC_SHIM_H
#define TESSERA_CHWLOC_SHIM_H
#include <hwloc.h>
/* hwloc's helpers that are macros or static inline with unimportable types get accessors here. */
#endif
