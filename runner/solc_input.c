#include "runner/solc_input.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/paths.h"
#include "runner/remappings.h"
#include "runner/sol_sources.h"

#define STANDARD_JSON_MAX (256u << 20)

/* Add names to the array held at obj[key], creating it, without duplicating entries. */
static void add_selection(json_t *obj, const char *key, const char *const *names) {
  json_t *list = json_object_get(obj, key);
  if (!json_is_array(list)) {
    list = json_array();
    json_object_set_new(obj, key, list);
  }
  for (; *names; names++) {
    bool present = false;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) present |= json_is_string(v) && strcmp(json_string_value(v), *names) == 0;
    if (!present)
      json_array_append_new(list, json_string(*names));
  }
}

/* abi, bytecode and metadata make the contract artifacts; the ASTs are what the audit reads. */
static void require_outputs(json_t *settings, bool storage_layout) {
  static const char *const contract[] = {"abi", "evm.bytecode", "evm.deployedBytecode", "metadata", NULL};
  static const char *const layout[] = {"storageLayout", NULL};
  static const char *const file[] = {"ast", NULL};
  json_t *selection = json_object_get(settings, "outputSelection");
  if (!json_is_object(selection)) {
    selection = json_object();
    json_object_set_new(settings, "outputSelection", selection);
  }
  json_t *all = json_object_get(selection, "*");
  if (!json_is_object(all)) {
    all = json_object();
    json_object_set_new(selection, "*", all);
  }
  add_selection(all, "*", contract);
  if (storage_layout)
    add_selection(all, "*", layout);
  add_selection(all, "", file);
}

static json_t *settings_json(const struct solc_settings *s, const struct remappings *remaps) {
  json_t *settings = json_pack("{s:{s:b, s:I}}", "optimizer", "enabled", s->optimize, "runs", (json_int_t)s->optimize_runs);
  if (s->evm_version)
    json_object_set_new(settings, "evmVersion", json_string(s->evm_version));
  if (s->via_ir)
    json_object_set_new(settings, "viaIR", json_true());
  if (remaps->n > 0)
    json_object_set_new(settings, "remappings", remappings_json(remaps));
  require_outputs(settings, s->storage_layout);
  return settings;
}

int solc_input_from_dir(const char *src_dir, const struct solc_settings *s, json_t **input, tb_error **err) {
  cleanup_free char *remap_path = xasprintf("%s/remappings.txt", src_dir);
  struct remappings remaps;
  int ret = remappings_load(remap_path, &remaps, err);
  json_t *sources = NULL;
  if (ret == 0)
    ret = sol_sources_gather(src_dir, &remaps, &sources, err);
  if (ret == 0)
    *input = json_pack("{s:s, s:o, s:o}", "language", "Solidity", "sources", sources, "settings",
                       settings_json(s, &remaps));
  remappings_clear(&remaps);
  return ret;
}

static int check_sources(const json_t *input, const char *path, tb_error **err) {
  json_t *sources = json_object_get(input, "sources");
  if (!json_is_object(sources) || json_object_size(sources) == 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"sources\" must be a non-empty object", path);
  const char *unit;
  json_t *src;
  json_object_foreach(sources, unit, src) {
    if (!path_is_contained(unit))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: source unit name \"%s\" must be a relative path without . or ..",
                          path, unit);
    if (!json_is_string(json_object_get(src, "content")))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: source \"%s\" has no inline \"content\" (urls are not read in the jail)",
                          path, unit);
  }
  return 0;
}

int solc_input_from_file(const char *path, bool storage_layout, json_t **input, char sha256[65], tb_error **err) {
  cleanup_json json_t *doc = NULL;
  cleanup_free char *bytes = NULL;
  size_t len = 0;
  int ret = tb_read_file(path, STANDARD_JSON_MAX, &bytes, &len, err);
  if (ret < 0 || (ret = tb_json_load_buf(path, bytes, len, &doc, err)) < 0)
    return ret;
  unsigned char digest[TB_SHA256_LEN];
  tb_sha256_buf(bytes, len, digest);
  tb_hex_encode(digest, sizeof(digest), sha256);
  if (!json_is_object(doc))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: standard JSON must be an object", path);
  if ((ret = check_sources(doc, path, err)) < 0)
    return ret;
  json_t *settings = json_object_get(doc, "settings");
  if (settings == NULL) {
    settings = json_object();
    json_object_set_new(doc, "settings", settings);
  } else if (!json_is_object(settings)) {
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"settings\" must be an object", path);
  }
  require_outputs(settings, storage_layout);
  *input = steal_pointer(&doc);
  return 0;
}
