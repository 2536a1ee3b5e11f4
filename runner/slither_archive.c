/* crytic-compile's archive export ("*_export_archive.json", crytic_version 0.0.2), built from the
 * standard-JSON input and output of a build.
 *
 * The shape is what crytic-compile's own `--export-format archive` writes for a solc standard-JSON
 * compilation run in SLITHER_ARCHIVE_ROOT: one compilation unit; per source unit its AST and, per
 * contract, abi, bytecodes, source maps, natspec, the libraries it links and its four file names
 * (absolute under the root; used, short and relative equal to the source unit name); the sources'
 * text keyed by absolute name. Slither's archive platform reads it back without calling solc. */
#include "runner/slither_archive.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/buf.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hex.h"
#include "common/json.h"
#include "common/xalloc.h"

/* crytic_compile.platform.types.Type.SOLC_STANDARD_JSON: the platform the archive says it came from. */
#define CRYTIC_TYPE_SOLC_STANDARD_JSON 10
#define CRYTIC_EXPORT_VERSION "0.0.2"
#define CRYTIC_UNIT_NAME "standard_json"

/* The standard-JSON files of a build are large (ASTs of whole dependency trees) but bounded. */
#define SOLC_JSON_MAX_BYTES (512u << 20)

static json_t *path_get(const json_t *obj, const char *const *keys) {
  for (; *keys && obj; keys++)
    obj = json_object_get(obj, *keys);
  return (json_t *)obj;
}

static json_t *string_or_empty(const json_t *obj, const char *const *keys) {
  const json_t *v = path_get(obj, keys);
  return json_string(json_is_string(v) ? json_string_value(v) : "");
}

/* Natspec as solc gave it (crytic-compile parses both its own and solc's form), {} when not selected. */
static json_t *object_or_empty(const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_object(v) ? json_incref(v) : json_object();
}

static char *absolute_name(const char *unit) { return xasprintf(SLITHER_ARCHIVE_ROOT "/%s", unit); }

static json_t *filenames(const char *unit) {
  cleanup_free char *absolute = absolute_name(unit);
  return json_pack("{s:s, s:s, s:s, s:s}", "absolute", absolute, "used", unit, "short", unit, "relative", unit);
}

/* {library name: placeholder} for every unlinked library, the pattern crytic-compile finds in the
 * bytecode: solc's linkReferences say where each placeholder lies. */
static int add_libraries(json_t *libraries, const json_t *bytecode, const char *contract, tb_error **err) {
  const char *object = json_string_value(json_object_get(bytecode, "object"));
  const char *file;
  json_t *libs;
  json_object_foreach((json_t *)json_object_get(bytecode, "linkReferences"), file, libs) {
    const char *lib;
    json_t *refs;
    json_object_foreach(libs, lib, refs) {
      json_int_t start = json_integer_value(json_object_get(json_array_get(refs, 0), "start"));
      json_int_t length = json_integer_value(json_object_get(json_array_get(refs, 0), "length"));
      if (object == NULL || length <= 0 || start < 0 || (size_t)(start + length) * 2 > strlen(object))
        return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: link reference for %s:%s lies outside the bytecode",
                            contract, file, lib);
      json_object_set_new(libraries, lib, json_stringn(object + start * 2, (size_t)length * 2));
    }
  }
  return 0;
}

static int contract_entry(const char *unit, const char *name, const json_t *info, json_t **out, tb_error **err) {
  const json_t *bytecode = path_get(info, (const char *[]){"evm", "bytecode", NULL});
  const json_t *deployed = path_get(info, (const char *[]){"evm", "deployedBytecode", NULL});
  cleanup_json json_t *libraries = json_object();
  if (add_libraries(libraries, bytecode, name, err) < 0 || add_libraries(libraries, deployed, name, err) < 0)
    return tb_error_wrap(err, "%s", unit);
  json_t *abi = json_object_get(info, "abi");
  *out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:O, s:b, s:o, s:o}", "abi", abi ? json_incref(abi) : json_array(),
                   "bin", string_or_empty(bytecode, (const char *[]){"object", NULL}), "bin-runtime",
                   string_or_empty(deployed, (const char *[]){"object", NULL}), "srcmap",
                   string_or_empty(bytecode, (const char *[]){"sourceMap", NULL}), "srcmap-runtime",
                   string_or_empty(deployed, (const char *[]){"sourceMap", NULL}), "filenames", filenames(unit),
                   "libraries", libraries, "is_dependency", 0, "userdoc", object_or_empty(info, "userdoc"),
                   "devdoc", object_or_empty(info, "devdoc"));
  return 0;
}

/* The ASTs are most of solc's output (~80% of the ERC20's 0.5 MB) and the archive only passes them
 * on: each is spliced in as the text solc wrote it, never parsed, where a placeholder stands in the
 * jansson tree of the rest. The placeholders carry a random nonce, so no text of the build can
 * hold one. */
struct ast_splice {
  char nonce[2 * 16 + 1];
  struct tb_json_text *asts;
  size_t n, cap;
};

static json_t *ast_placeholder(struct ast_splice *sp, struct tb_json_text ast) {
  if (sp->n == sp->cap) {
    sp->cap = sp->cap ? 2 * sp->cap : 16;
    sp->asts = xrealloc(sp->asts, sp->cap * sizeof(*sp->asts));
  }
  sp->asts[sp->n] = ast;
  cleanup_free char *name = xasprintf("%s-%zu", sp->nonce, sp->n++);
  return json_string(name);
}

/* The three collections of the archive that every source unit adds to. */
struct archive_parts {
  json_t *units;    /* source unit name -> {ast, contracts} */
  json_t *names;    /* [filenames] */
  json_t *contents; /* absolute name -> source text */
  struct ast_splice *splice;
};

static int source_unit(const char *unit, struct tb_json_text src_out, const json_t *solc_input,
                       const json_t *contracts_out, const struct archive_parts *parts, tb_error **err) {
  struct tb_json_text ast = tb_json_text_get(src_out, "ast");
  if (ast.p == NULL || ast.len < 2 || ast.p[0] != '{')
    return tb_error_set(err, TB_EXIT_INPUT, 0,
                        "solc-output.json has no AST for %s (the build must select \"\": [\"ast\"])", unit);
  if (json_object_get(parts->units, unit) != NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc-output.json names the source %s twice", unit);
  const json_t *content = path_get(solc_input, (const char *[]){"sources", unit, "content", NULL});
  if (!json_is_string(content))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc-input.json does not give %s inline (\"content\")", unit);

  cleanup_json json_t *contracts = json_object();
  const char *name;
  json_t *info;
  json_object_foreach(json_object_get(contracts_out, unit), name, info) {
    json_t *entry = NULL;
    int r = contract_entry(unit, name, info, &entry, err);
    if (r < 0)
      return r;
    json_object_set_new(contracts, name, entry);
  }
  json_object_set_new(parts->units, unit,
                      json_pack("{s:o, s:O}", "ast", ast_placeholder(parts->splice, ast), "contracts", contracts));
  json_array_append_new(parts->names, filenames(unit));
  cleanup_free char *absolute = absolute_name(unit);
  json_object_set(parts->contents, absolute, (json_t *)content);
  return 0;
}

int slither_archive_solc_version(const json_t *contracts_out, char **version, tb_error **err) {
  const char *file, *name;
  json_t *contracts, *info;
  json_object_foreach((json_t *)contracts_out, file, contracts) {
    json_object_foreach(contracts, name, info) {
      const char *metadata = json_string_value(json_object_get(info, "metadata"));
      cleanup_json json_t *meta = NULL;
      cleanup_error tb_error *ignored = NULL;
      if (metadata == NULL || tb_json_load_buf("metadata", metadata, strlen(metadata), &meta, &ignored) < 0)
        continue;
      const char *full = json_string_value(path_get(meta, (const char *[]){"compiler", "version", NULL}));
      if (full == NULL)
        continue;
      /* "0.8.24+commit.e11b9ed9": crytic-compile records the bare release. */
      *version = xstrndup(full, strcspn(full, "+"));
      return 0;
    }
  }
  return tb_error_set(err, TB_EXIT_INPUT, 0,
                      "solc-output.json: no contract carries metadata telling the compiler version");
}

/* The archive's tree, each AST a placeholder recorded in sp. */
static int archive_make(const json_t *solc_input, struct tb_json_text solc_output, struct ast_splice *sp,
                        json_t **archive, tb_error **err) {
  struct tb_json_text contracts_text = tb_json_text_get(solc_output, "contracts");
  cleanup_json json_t *contracts_out = contracts_text.p ? tb_json_text_parse(contracts_text) : json_object();
  if (!json_is_object(contracts_out))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc-output.json: \"contracts\" is not a JSON object");
  cleanup_free char *version = NULL;
  int r = slither_archive_solc_version(contracts_out, &version, err);
  if (r < 0)
    return r;
  cleanup_json json_t *units = json_object();
  cleanup_json json_t *names = json_array();
  cleanup_json json_t *contents = json_object();
  const struct archive_parts parts = {units, names, contents, sp};
  struct tb_json_text sources = tb_json_text_get(solc_output, "sources"), src_out;
  size_t pos = 0;
  char *unit = NULL;
  while (sources.p && (r = tb_json_text_next(sources, &pos, &unit, &src_out)) == 1) {
    r = source_unit(unit, src_out, solc_input, contracts_out, &parts, err);
    free(unit);
    if (r < 0)
      return r;
  }
  if (r < 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc-output.json: \"sources\" is not a JSON object");
  if (json_object_size(units) == 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc-output.json has no sources");

  bool optimized = json_is_true(path_get(solc_input, (const char *[]){"settings", "optimizer", "enabled", NULL}));
  json_t *compiler = json_pack("{s:s, s:s, s:b}", "compiler", "solc", "version", version, "optimized", optimized);
  json_t *unit_json = json_pack("{s:o, s:O, s:O}", "compiler", compiler, "source_units", units, "filenames", names);
  *archive = json_pack("{s:{s:o}, s:n, s:s, s:i, s:[], s:s, s:O}", "compilation_units", CRYTIC_UNIT_NAME, unit_json,
                       "package", "working_dir", SLITHER_ARCHIVE_ROOT, "type", CRYTIC_TYPE_SOLC_STANDARD_JSON,
                       "unit_tests", "crytic_version", CRYTIC_EXPORT_VERSION, "source_content", contents);
  return 0;
}

/* The archive's text with every placeholder replaced by its AST, in the order they were made
 * (jansson writes objects in insertion order). */
static int splice_asts(const char *text, const struct ast_splice *sp, struct tb_buf *out, tb_error **err) {
  const char *at = text, *end = text + strlen(text);
  for (size_t i = 0; i < sp->n; i++) {
    cleanup_free char *token = xasprintf("\"%s-%zu\"", sp->nonce, i);
    const char *hit = memmem(at, (size_t)(end - at), token, strlen(token));
    if (hit == NULL)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "archive: AST %zu lost its place", i);
    tb_buf_add(out, at, (size_t)(hit - at));
    tb_buf_add(out, sp->asts[i].p, sp->asts[i].len);
    at = hit + strlen(token);
  }
  tb_buf_add(out, at, (size_t)(end - at));
  return 0;
}

int slither_build_json_read(const char *build_dir, struct slither_build_json *json, tb_error **err) {
  cleanup_free char *in_path = xasprintf("%s/" SLITHER_SOLC_INPUT, build_dir);
  cleanup_free char *out_path = xasprintf("%s/" SLITHER_SOLC_OUTPUT, build_dir);
  *json = (struct slither_build_json){0};
  int r = tb_read_file(in_path, SOLC_JSON_MAX_BYTES, &json->input, &json->input_len, err);
  if (r == 0)
    r = tb_read_file(out_path, SOLC_JSON_MAX_BYTES, &json->output, &json->output_len, err);
  if (r < 0)
    slither_build_json_clear(json);
  return r;
}

void slither_build_json_clear(struct slither_build_json *json) {
  free(json->input);
  free(json->output);
  *json = (struct slither_build_json){0};
}

int slither_archive_write(const struct slither_build_json *json, const char *build_dir, const char *dest_dir,
                          tb_error **err) {
  cleanup_json json_t *input = NULL;
  cleanup_json json_t *archive = NULL;
  struct ast_splice sp = {0};
  unsigned char nonce[16];
  if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
    return tb_error_set(err, TB_EXIT_INPUT, errno, "getrandom");
  tb_hex_encode(nonce, sizeof(nonce), sp.nonce);
  struct tb_json_text output = {json->output, json->output_len};
  /* the text scanners stop at a NUL, which no JSON text holds */
  int r = memchr(json->output, '\0', json->output_len)
              ? tb_error_set(err, TB_EXIT_INPUT, 0, SLITHER_SOLC_OUTPUT ": a NUL byte")
              : tb_json_load_buf(SLITHER_SOLC_INPUT, json->input, json->input_len, &input, err);
  if (r < 0 || archive_make(input, output, &sp, &archive, err) < 0) {
    free(sp.asts);
    return tb_error_wrap(err, "%s", build_dir);
  }
  /* Compact: it is Slither's input, not a file for people, and ASTs indented are twice the bytes to
   * write and to parse. Unsorted: jansson keeps the order the build's files give, so the bytes (a
   * resolvedDependency's digest) are still a function of the build. Written at once, straight into
   * a directory of the caller's making, where nothing reads it before it is complete. */
  cleanup_free char *text = json_dumps(archive, JSON_COMPACT);
  struct tb_buf out = {0};
  r = text ? splice_asts(text, &sp, &out, err) : tb_error_set(err, TB_EXIT_INPUT, ENOMEM, "serialise the archive");
  free(sp.asts);
  if (r < 0) {
    free(out.data);
    return tb_error_wrap(err, "%s", build_dir);
  }
  cleanup_free char *dest = xasprintf("%s/" SLITHER_ARCHIVE_NAME, dest_dir);
  r = tb_write_file_staged(dest, out.data, out.len, 0644, err);
  free(out.data);
  return r;
}
