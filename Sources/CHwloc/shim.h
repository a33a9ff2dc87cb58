#ifndef TESSERA_CHWLOC_SHIM_H
#define TESSERA_CHWLOC_SHIM_H
#include <hwloc.h>
/* hwloc's helpers that are macros or static inline with unimportable types get accessors here. */
static inline int tessera_hwloc_nbobjs(hwloc_topology_t t, hwloc_obj_type_t type) {
    return hwloc_get_nbobjs_by_type(t, type);
}
static inline hwloc_obj_t tessera_hwloc_obj(hwloc_topology_t t, hwloc_obj_type_t type, unsigned idx) {
    return hwloc_get_obj_by_type(t, type, idx);
}
#endif
