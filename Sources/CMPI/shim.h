// OpenMPI exposes its handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) as C
// macros over global symbols, which Swift cannot import: these accessors can.
#ifndef DIR_DIST_CMPI_SHIM_H
#define DIR_DIST_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm cmpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype cmpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype cmpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Op cmpi_op_sum(void) { return MPI_SUM; }
static inline MPI_Op cmpi_op_min(void) { return MPI_MIN; }
static inline MPI_Op cmpi_op_max(void) { return MPI_MAX; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_thread_single(void) { return MPI_THREAD_SINGLE; }
static inline int cmpi_mode_nocheck(void) { return MPI_MODE_NOCHECK; }
static inline MPI_Datatype cmpi_datatype_null(void) { return MPI_DATATYPE_NULL; }
static inline int cmpi_lock_shared(void) { return MPI_LOCK_SHARED; }
static inline int cmpi_lock_exclusive(void) { return MPI_LOCK_EXCLUSIVE; }
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
