/* Libraries only some commands use are loaded when first needed, not linked: mapping and
 * relocating libcurl, libmicrohttpd, libarchive, Botan and what they pull in (~50 objects) was most
 * of the start time and RSS of every teebuild process, including those that never download, serve,
 * unpack or recover a key. libcrypto, jansson and libseccomp, which nearly every command uses, stay
 * linked.
 *
 * A library's functions are reached through a table of pointers typed from the library's own
 * header (which is still included, for types and constants), filled on the first load:
 *
 *   #define FOO_FUNCTIONS(X) X(open) X(close)   // foo_open, foo_close: each name written once
 *   #define FOO_POINTER(name) TB_DYNLIB_POINTER(foo_, name)
 *   #define FOO_SYMBOL(name) TB_DYNLIB_SYMBOL(struct foo_functions, foo_, name)
 *   struct foo_functions { FOO_FUNCTIONS(FOO_POINTER) } foo;
 *   static const struct tb_dynlib_symbol foo_symbols[] = {FOO_FUNCTIONS(FOO_SYMBOL)};
 *   static struct tb_dynlib foo_lib = TB_DYNLIB(TB_SONAME_FOO, foo, foo_symbols);
 *   ... if (tb_dynlib_load(&foo_lib, err) < 0) return ...; foo.open(...);
 *
 * The soname is the build's (CMake reads it from the library pkg-config finds, as TB_SONAME_FOO),
 * and dlopen looks for it where the dynamic linker would have: the executable's RUNPATH, then the
 * system's directories. */
#ifndef TB_COMMON_DYNLIB_H
#define TB_COMMON_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* A table member: a pointer of the type the library's header declares prefix##name with. */
#define TB_DYNLIB_POINTER(prefix, name) __typeof__(prefix##name) *name;
/* Where the symbol prefix##name goes in a table of type table_type. */
#define TB_DYNLIB_SYMBOL(table_type, prefix, name) {#prefix #name, offsetof(table_type, name)},

/* The loader of table from soname, given the table's symbols (an array). */
#define TB_DYNLIB(soname, table, symbols) {(soname), (symbols), sizeof(symbols) / sizeof((symbols)[0]), &(table), false}

struct tb_dynlib_symbol {
  const char *name;
  size_t offset; /* of its pointer in the table */
};

struct tb_dynlib {
  const char *soname;
  const struct tb_dynlib_symbol *symbols;
  size_t n_symbols;
  void *table;
  bool loaded; /* guarded by a lock in dynlib.c */
};

/* Load lib->soname (RTLD_NOW | RTLD_LOCAL) and fill every symbol into lib->table, once: later
 * calls, from any thread, return 0 at once. A library that cannot be loaded, or lacks a symbol,
 * fails with TB_EXIT_MISSING_LIBRARY and a message naming the soname and the symbol; the table is
 * then left empty and the next call tries again. */
int tb_dynlib_load(struct tb_dynlib *lib, tb_error **err);

#endif
