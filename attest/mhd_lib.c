#include "attest/mhd_lib.h"

struct tb_mhd_functions tb_mhd;

#define TB_MHD_SYMBOL(name) TB_DYNLIB_SYMBOL(struct tb_mhd_functions, MHD_, name)
static const struct tb_dynlib_symbol mhd_symbols[] = {TB_MHD_FUNCTIONS(TB_MHD_SYMBOL)};
static struct tb_dynlib mhd_lib = TB_DYNLIB(TB_SONAME_MHD, tb_mhd, mhd_symbols);

int tb_mhd_load(tb_error **err) { return tb_dynlib_load(&mhd_lib, err); }
