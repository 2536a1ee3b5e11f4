#include "runner/solc_artifacts.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/paths.h"

/* The number of errors of severity "error", and their formattedMessage texts one after the other
 * (*details malloc'ed, NULL when there are none). */
static size_t output_errors(struct tb_json_text output, char **details) {
  size_t n = 0, len = 0;
  char *text = NULL;
  size_t i;
  json_t *e;
  cleanup_json json_t *errors = tb_json_text_parse(tb_json_text_get(output, "errors"));
  json_array_foreach(errors, i, e) {
    const char *severity = json_string_value(json_object_get(e, "severity"));
    if (severity == NULL || strcmp(severity, "error") != 0)
      continue;
    n++;
    const char *msg = json_string_value(json_object_get(e, "formattedMessage"));
    if (msg == NULL)
      msg = json_string_value(json_object_get(e, "message"));
    if (msg == NULL)
      continue;
    size_t m = strlen(msg);
    bool nl = m == 0 || msg[m - 1] != '\n';
    text = xrealloc(text, len + m + 2);
    memcpy(text + len, msg, m);
    len += m;
    if (nl)
      text[len++] = '\n';
    text[len] = '\0';
  }
  *details = text;
  return n;
}

static json_t *hex0x(const json_t *evm_part) {
  const char *obj = json_string_value(json_object_get(evm_part, "object"));
  return json_sprintf("0x%s", obj ? obj : "");
}

static json_t *or_empty(json_t *v) { return v ? json_incref(v) : json_object(); }

static json_t *contract_artifact(const char *unit, const char *name, const json_t *c) {
  json_t *evm = json_object_get(c, "evm");
  json_t *bytecode = json_object_get(evm, "bytecode"), *deployed = json_object_get(evm, "deployedBytecode");
  json_t *a = json_pack("{s:s, s:s, s:s, s:O?, s:o, s:o, s:o, s:o, s:O?}", "_format", "hh-sol-artifact-1",
                        "contractName", name, "sourceName", unit, "abi", json_object_get(c, "abi"), "bytecode",
                        hex0x(bytecode), "deployedBytecode", hex0x(deployed), "linkReferences",
                        or_empty(json_object_get(bytecode, "linkReferences")), "deployedLinkReferences",
                        or_empty(json_object_get(deployed, "linkReferences")), "metadata",
                        json_object_get(c, "metadata"));
  json_t *layout = json_object_get(c, "storageLayout");
  if (layout)
    json_object_set(a, "storageLayout", layout);
  return a;
}

static bool is_contract_name(const char *s) {
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '$')
      return false;
  return true;
}

/* A member to parse, or with members: an object to look into. */
struct wanted {
  const char *key;
  const struct wanted *members;
  size_t n_members;
};

static json_t *parsed_members(struct tb_json_text obj, const struct wanted *want, size_t n) {
  json_t *out = json_object();
  size_t pos = 0;
  char *key = NULL;
  struct tb_json_text v;
  while (tb_json_text_next(obj, &pos, &key, &v) == 1) {
    for (size_t i = 0; i < n; i++) {
      if (strcmp(key, want[i].key) != 0)
        continue;
      json_t *parsed = want[i].members ? parsed_members(v, want[i].members, want[i].n_members) : tb_json_text_parse(v);
      if (parsed)
        json_object_set_new(out, key, parsed);
    }
    free(key);
  }
  return out;
}

/* The members contract_artifact reads, parsed from the contract's text in one pass over it: the
 * rest (ASTs of generated sources, opcodes, source maps: ~95% of a contract) stays text. */
static json_t *contract_fields(struct tb_json_text c) {
  static const struct wanted code[] = {{"object", NULL, 0}, {"linkReferences", NULL, 0}};
  static const struct wanted evm[] = {{"bytecode", code, 2}, {"deployedBytecode", code, 2}};
  static const struct wanted contract[] = {
      {"abi", NULL, 0}, {"metadata", NULL, 0}, {"storageLayout", NULL, 0}, {"evm", evm, 2}};
  return parsed_members(c, contract, 4);
}

static int write_contract(const char *artifacts_dir, const char *unit, const char *name, struct tb_json_text c,
                          tb_error **err) {
  if (!is_contract_name(name))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc output: \"%s\" is not a contract name", name);
  cleanup_free char *dir = xasprintf("%s/%s", artifacts_dir, unit);
  int ret = tb_mkdir_p(dir, 0755, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf("%s/%s.json", dir, name);
  cleanup_json json_t *fields = contract_fields(c);
  cleanup_json json_t *artifact = contract_artifact(unit, name, fields);
  return tb_json_write_file(path, artifact, err);
}

static int write_unit(const char *artifacts_dir, const char *unit, struct tb_json_text contracts, tb_error **err) {
  size_t pos = 0;
  cleanup_free char *name = NULL;
  struct tb_json_text c;
  while (tb_json_text_next(contracts, &pos, &name, &c) == 1) {
    int ret = write_contract(artifacts_dir, unit, name, c, err);
    if (ret < 0)
      return ret;
    free(steal_pointer(&name));
  }
  return 0;
}

/* Only units teebuild put in the input get artifacts: the output cannot name other paths. */
static int write_contracts(const char *artifacts_dir, const json_t *input, struct tb_json_text output,
                           tb_error **err) {
  json_t *sources = json_object_get(input, "sources");
  struct tb_json_text all = tb_json_text_get(output, "contracts"), contracts;
  size_t pos = 0;
  cleanup_free char *unit = NULL;
  while (tb_json_text_next(all, &pos, &unit, &contracts) == 1) {
    if (json_object_get(sources, unit) == NULL || !path_is_contained(unit))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "solc output: unknown source unit \"%s\"", unit);
    int ret = write_unit(artifacts_dir, unit, contracts, err);
    if (ret < 0)
      return ret;
    free(steal_pointer(&unit));
  }
  return 0;
}

/* "0.8.24+commit.e11b9ed9", as the metadata of any contract records it. */
static char *long_version(struct tb_json_text output, const char *default_version) {
  struct tb_json_text all = tb_json_text_get(output, "contracts"), contracts, c;
  size_t pos = 0;
  char *unit = NULL, *name = NULL;
  while (tb_json_text_next(all, &pos, &unit, &contracts) == 1) {
    free(unit);
    for (size_t cpos = 0; tb_json_text_next(contracts, &cpos, &name, &c) == 1;) {
      free(name);
      cleanup_json json_t *meta = tb_json_text_parse(tb_json_text_get(c, "metadata"));
      cleanup_json json_t *m = json_is_string(meta) ? json_loads(json_string_value(meta), 0, NULL) : NULL;
      const char *v = json_string_value(json_object_get(json_object_get(m, "compiler"), "version"));
      if (v)
        return xstrdup(v);
    }
  }
  return xstrdup(default_version);
}

/* Hardhat's id is an opaque 32-hex-digit name; ours is the start of SHA-256 over the compiler
 * version and the exact input bytes, so the same build always gets the same file name. */
static void build_info_id(const char *version, const char *input, size_t len, char id[33]) {
  tb_sha256_ctx *ctx = tb_sha256_new();
  tb_sha256_update(ctx, version, strlen(version));
  tb_sha256_update(ctx, "\n", 1);
  tb_sha256_update(ctx, input, len);
  unsigned char digest[TB_SHA256_LEN];
  tb_sha256_final(ctx, digest);
  tb_hex_encode(digest, 16, id);
}

struct build_info {
  const char *id, *version, *short_version;
  const json_t *input;
  struct tb_json_text output;
};

static int string_member(struct tb_json_writer *w, const char *key, const char *value) {
  cleanup_json json_t *v = json_string(value); /* NULL (not UTF-8): the writer reports it */
  cleanup_free char *head = xasprintf(",\n  \"%s\": ", key);
  if (tb_json_writer_raw(w, head) < 0)
    return -1;
  return tb_json_writer_value(w, v, 1);
}

/* Exactly what tb_json_write_file writes for {"_format", "id", "input", "output",
 * "solcLongVersion", "solcVersion"} (keys in jansson's sorted order), without a tree of the
 * output: from its text, or from output_tree when the text is outside what tb_json_writer_text
 * handles (its 1 is returned). */
static int build_info_body(struct tb_json_writer *w, const struct build_info *bi, const json_t *output_tree) {
  cleanup_json json_t *format = json_string("hh-sol-build-info-1");
  if (tb_json_writer_raw(w, "{\n  \"_format\": ") < 0 || tb_json_writer_value(w, format, 1) < 0 ||
      string_member(w, "id", bi->id) < 0 || tb_json_writer_raw(w, ",\n  \"input\": ") < 0 ||
      tb_json_writer_value(w, bi->input, 1) < 0 || tb_json_writer_raw(w, ",\n  \"output\": ") < 0)
    return -1;
  int r = output_tree ? tb_json_writer_value(w, output_tree, 1) : tb_json_writer_text(w, bi->output, 1);
  if (r != 0)
    return r;
  if (string_member(w, "solcLongVersion", bi->version) < 0 || string_member(w, "solcVersion", bi->short_version) < 0)
    return -1;
  return tb_json_writer_raw(w, "\n}\n");
}

/* Writing the build-info is also where the whole output is validated: 1 with *failure when it is
 * not JSON (the file is then removed). */
static int write_build_info(const char *path, const struct build_info *bi, tb_error **failure, tb_error **err) {
  struct tb_json_writer *w = NULL;
  int ret = tb_json_writer_open(path, &w, err);
  if (ret < 0)
    return ret;
  /* solc writes an object; anything else is left to jansson to judge */
  const char *first = bi->output.p;
  while (first < bi->output.p + bi->output.len && strchr(" \t\n\r", *first) && *first)
    first++;
  int r = first < bi->output.p + bi->output.len && *first == '{' ? build_info_body(w, bi, NULL) : 1;
  cleanup_json json_t *tree = NULL;
  if (r == 1 && tb_json_load_buf("solc-output.json", bi->output.p, bi->output.len, &tree, failure) < 0) {
    tb_json_writer_close(w, path, NULL);
    unlink(path);
    tb_error_wrap(failure, "solc gave no standard-JSON output");
    return 1;
  }
  if (r == 1 && tb_json_writer_restart(w) == 0)
    build_info_body(w, bi, tree);
  return tb_json_writer_close(w, path, err);
}

int solc_collect_output(const char *artifacts_dir, struct tb_json_text output, const json_t *input,
                        const char *input_bytes, size_t input_len, const char *default_version, tb_error **failure,
                        char **details, tb_error **err) {
  cleanup_free char *version = long_version(output, default_version);
  cleanup_free char *short_version = xstrndup(version, strcspn(version, "+"));
  char id[33];
  build_info_id(version, input_bytes, input_len, id);
  cleanup_free char *dir = xasprintf("%s/build-info", artifacts_dir);
  int ret = tb_mkdir_p(dir, 0755, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf("%s/%s.json", dir, id);
  struct build_info bi = {id, version, short_version, input, output};
  if ((ret = write_build_info(path, &bi, failure, err)) != 0)
    return ret;
  size_t n_errors = output_errors(output, details);
  if (n_errors > 0) {
    unlink(path);
    rmdir(dir);
    tb_error_set(failure, TB_EXIT_JOB_FAILED, 0, "compilation failed: %zu error%s", n_errors, n_errors == 1 ? "" : "s");
    return 1;
  }
  free(steal_pointer(details)); /* warnings only */
  return write_contracts(artifacts_dir, input, output, err);
}
