#include "toolchains/archive_lib.h"

struct tb_archive_functions tb_archive;

#define TB_ARCHIVE_SYMBOL(name) TB_DYNLIB_SYMBOL(struct tb_archive_functions, archive_, name)
static const struct tb_dynlib_symbol archive_symbols[] = {
    TB_ARCHIVE_FUNCTIONS(TB_ARCHIVE_SYMBOL)
    {"archive_errno", offsetof(struct tb_archive_functions, error_number)},
};
static struct tb_dynlib archive_lib = TB_DYNLIB(TB_SONAME_ARCHIVE, tb_archive, archive_symbols);

int tb_archive_load(tb_error **err) { return tb_dynlib_load(&archive_lib, err); }
