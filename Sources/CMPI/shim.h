#ifndef TESSERA_CMPI_SHIM_H
#define TESSERA_CMPI_SHIM_H
#include <mpi.h>
/* MPI handle constants are macros (often casts) that Swift cannot import; static inline accessors
   give Swift a function to call for each one. */

/* Communicators and error handlers. */
static inline MPI_Comm tessera_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm tessera_MPI_COMM_SELF(void) { return MPI_COMM_SELF; }
static inline MPI_Comm tessera_MPI_COMM_NULL(void) { return MPI_COMM_NULL; }
static inline MPI_Errhandler tessera_MPI_ERRORS_RETURN(void) { return MPI_ERRORS_RETURN; }

/* Datatypes. */
static inline MPI_Datatype tessera_MPI_DOUBLE(void) { return MPI_DOUBLE; }
static inline MPI_Datatype tessera_MPI_FLOAT(void) { return MPI_FLOAT; }
static inline MPI_Datatype tessera_MPI_INT32_T(void) { return MPI_INT32_T; }
static inline MPI_Datatype tessera_MPI_INT64_T(void) { return MPI_INT64_T; }
static inline MPI_Datatype tessera_MPI_UINT8_T(void) { return MPI_UINT8_T; }
static inline MPI_Datatype tessera_MPI_UINT64_T(void) { return MPI_UINT64_T; }
static inline MPI_Datatype tessera_MPI_BYTE(void) { return MPI_BYTE; }

/* Reduction operations. */
static inline MPI_Op tessera_MPI_SUM(void) { return MPI_SUM; }
static inline MPI_Op tessera_MPI_PROD(void) { return MPI_PROD; }
static inline MPI_Op tessera_MPI_MIN(void) { return MPI_MIN; }
static inline MPI_Op tessera_MPI_MAX(void) { return MPI_MAX; }

/* Requests, statuses and wildcards. */
static inline MPI_Request tessera_MPI_REQUEST_NULL(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *tessera_MPI_STATUS_IGNORE(void) { return MPI_STATUS_IGNORE; }
static inline void *tessera_MPI_IN_PLACE(void) { return MPI_IN_PLACE; }
static inline int tessera_MPI_ANY_SOURCE(void) { return MPI_ANY_SOURCE; }
static inline int tessera_MPI_ANY_TAG(void) { return MPI_ANY_TAG; }
static inline int tessera_MPI_UNDEFINED(void) { return MPI_UNDEFINED; }
static inline int tessera_MPI_SUCCESS(void) { return MPI_SUCCESS; }
static inline int tessera_MPI_THREAD_SINGLE(void) { return MPI_THREAD_SINGLE; }
static inline int tessera_MPI_THREAD_FUNNELED(void) { return MPI_THREAD_FUNNELED; }
static inline int tessera_MPI_THREAD_SERIALIZED(void) { return MPI_THREAD_SERIALIZED; }
static inline int tessera_MPI_THREAD_MULTIPLE(void) { return MPI_THREAD_MULTIPLE; }
static inline int tessera_MPI_MAX_ERROR_STRING(void) { return MPI_MAX_ERROR_STRING; }
static inline int tessera_MPI_MAX_LIBRARY_VERSION_STRING(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int tessera_MPI_MAX_PROCESSOR_NAME(void) { return MPI_MAX_PROCESSOR_NAME; }
#endif
