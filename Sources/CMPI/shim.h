#ifndef TESSERA_CMPI_SHIM_H
#define TESSERA_CMPI_SHIM_H
#include <mpi.h>
/* MPI handle constants are macros (often casts) that Swift cannot import; static inline accessors
   give Swift a function to call for each one. Add accessors here as the Swift surface needs them. */
static inline MPI_Comm tessera_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
#endif
