#include "runner/solc_artifacts.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/paths.h"

size_t solc_output_errors(const json_t *output, char **details) {
  size_t n = 0, len = 0;
  char *text = NULL;
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(output, "errors"), i, e) {
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

static int write_contract(const char *artifacts_dir, const char *unit, const char *name, const json_t *c,
                          tb_error **err) {
  if (!is_contract_name(name))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "solc output: \"%s\" is not a contract name", name);
  cleanup_free char *dir = xasprintf("%s/%s", artifacts_dir, unit);
  int ret = tb_mkdir_p(dir, 0755, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf("%s/%s.json", dir, name);
  cleanup_json json_t *artifact = contract_artifact(unit, name, c);
  return tb_json_write_file(path, artifact, err);
}

/* Only units teebuild put in the input get artifacts: the output cannot name other paths. */
static int write_contracts(const char *artifacts_dir, const json_t *input, const json_t *output, tb_error **err) {
  json_t *sources = json_object_get(input, "sources");
  const char *unit;
  json_t *contracts;
  json_object_foreach(json_object_get(output, "contracts"), unit, contracts) {
    if (json_object_get(sources, unit) == NULL || !path_is_contained(unit))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "solc output: unknown source unit \"%s\"", unit);
    const char *name;
    json_t *c;
    json_object_foreach(contracts, name, c) {
      int ret = write_contract(artifacts_dir, unit, name, c, err);
      if (ret < 0)
        return ret;
    }
  }
  return 0;
}

/* "0.8.24+commit.e11b9ed9", as the metadata of any contract records it. */
static char *long_version(const json_t *output, const char *default_version) {
  const char *unit, *name;
  json_t *contracts, *c;
  json_object_foreach(json_object_get(output, "contracts"), unit, contracts) {
    json_object_foreach(contracts, name, c) {
      const char *meta = json_string_value(json_object_get(c, "metadata"));
      cleanup_json json_t *m = meta ? json_loads(meta, 0, NULL) : NULL;
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

static int write_build_info(const char *artifacts_dir, const json_t *input, const char *input_bytes,
                            size_t input_len, const json_t *output, const char *default_version, tb_error **err) {
  cleanup_free char *version = long_version(output, default_version);
  cleanup_free char *short_version = xstrndup(version, strcspn(version, "+"));
  char id[33];
  build_info_id(version, input_bytes, input_len, id);
  cleanup_free char *dir = xasprintf("%s/build-info", artifacts_dir);
  int ret = tb_mkdir_p(dir, 0755, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf("%s/%s.json", dir, id);
  cleanup_json json_t *info = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O}", "_format", "hh-sol-build-info-1", "id", id,
                                        "solcVersion", short_version, "solcLongVersion", version, "input", input,
                                        "output", output);
  return tb_json_write_file(path, info, err);
}

int solc_write_artifacts(const char *artifacts_dir, const json_t *input, const char *input_bytes, size_t input_len,
                         const json_t *output, const char *default_version, tb_error **err) {
  int ret = write_contracts(artifacts_dir, input, output, err);
  if (ret == 0)
    ret = write_build_info(artifacts_dir, input, input_bytes, input_len, output, default_version, err);
  return ret;
}
