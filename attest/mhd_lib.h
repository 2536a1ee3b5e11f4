/* libmicrohttpd, loaded on first use (common/dynlib.h): only the simulator (`teebuild tee-sim`, and
 * `--tee simulated`, which starts one in the process) serves HTTP. */
#ifndef TB_ATTEST_MHD_LIB_H
#define TB_ATTEST_MHD_LIB_H

#include <microhttpd.h>

#include "common/dynlib.h"

#define TB_MHD_FUNCTIONS(X)                                                                                       \
  X(start_daemon) X(stop_daemon) X(lookup_connection_value) X(create_response_from_buffer)                        \
  X(add_response_header) X(queue_response) X(destroy_response)
#define TB_MHD_POINTER(name) TB_DYNLIB_POINTER(MHD_, name)

/* MHD_<name> is tb_mhd.<name> once tb_mhd_load() has succeeded. */
struct tb_mhd_functions {
  TB_MHD_FUNCTIONS(TB_MHD_POINTER)
};
extern struct tb_mhd_functions tb_mhd;

int tb_mhd_load(tb_error **err);

#endif
