#include "runner/build_result.h"

#include <string.h>

#include "attest/base64.h"
#include "attest/bundle.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define MAX_JSON (256u << 20)

static json_t *load(const char *out_dir, const char *rel) {
  cleanup_free char *path = xasprintf("%s/%s", out_dir, rel);
  cleanup_error tb_error *ignored = NULL;
  json_t *j = NULL;
  tb_json_load_file(path, MAX_JSON, &j, &ignored);
  return j;
}

static json_t *contract_artifacts(const json_t *solc_output) {
  json_t *artifacts = json_object();
  const char *source, *name;
  json_t *contracts, *contract;
  json_object_foreach(json_object_get(solc_output, "contracts"), source, contracts) {
    json_object_foreach(contracts, name, contract) {
      const char *obj = json_string_value(json_object_get(json_object_get(json_object_get(contract, "evm"),
                                                                          "bytecode"), "object"));
      if (obj == NULL)
        continue;
      unsigned char digest[TB_SHA256_LEN];
      char hex[TB_SHA256_HEX_LEN + 1];
      size_t n = strlen(obj);
      cleanup_free unsigned char *code = xmalloc(n / 2 + 1);
      /* Unlinked bytecode (library placeholders) is not hex: hash its text instead. */
      if (n % 2 == 0 && tb_hex_decode(obj, code, n / 2) == 0)
        tb_sha256_buf(code, n / 2, digest);
      else
        tb_sha256_buf(obj, n, digest);
      tb_hex_encode(digest, sizeof(digest), hex);
      cleanup_free char *key = xasprintf("%s:%s", source, name);
      cleanup_free char *bytecode = xasprintf("0x%s", obj);
      json_object_set_new(artifacts, key, json_pack("{s:s, s:s}", "bytecode", bytecode, "hash", hex));
    }
  }
  return artifacts;
}

static void add_attestation(json_t *result, const char *out_dir) {
  cleanup_json json_t *bundle = load(out_dir, TB_BUNDLE_FILE);
  json_t *tee = json_object_get(bundle, "tee");
  const char *provider = json_string_value(json_object_get(tee, "provider"));
  const char *quote_b64 = json_string_value(json_object_get(tee, "quote"));
  cleanup_free unsigned char *quote = NULL;
  size_t quote_len = 0;
  cleanup_error tb_error *ignored = NULL;
  if (provider == NULL || quote_b64 == NULL || tb_base64_decode(quote_b64, &quote, &quote_len, 0, &ignored) < 0)
    return;
  cleanup_free char *hex = xmalloc(2 * quote_len + 1);
  tb_hex_encode(quote, quote_len, hex);
  json_object_set_new(result, "teeProvider", json_string(provider));
  json_object_set_new(result, "attestationQuote", json_string(hex));
}

void build_result_extend(json_t *result, const char *out_dir) {
  cleanup_json json_t *output = load(out_dir, "artifacts/solc-output.json");
  if (output)
    json_object_set_new(result, "artifacts", contract_artifacts(output));
  cleanup_json json_t *statement = load(out_dir, TB_PROVENANCE_FILE);
  const char *solc = json_string_value(json_object_get(
      json_object_get(json_object_get(json_object_get(statement, "predicate"), "buildDefinition"),
                      "externalParameters"),
      "solc"));
  if (solc)
    json_object_set_new(result, "solcVersion", json_string(solc));
  cleanup_free char *prov = xasprintf("%s/%s", out_dir, TB_PROVENANCE_FILE);
  char hex[TB_SHA256_HEX_LEN + 1];
  cleanup_error tb_error *ignored = NULL;
  if (tb_sha256_file_hex(prov, hex, &ignored) == 0)
    json_object_set_new(result, "buildHash", json_string(hex));
  add_attestation(result, out_dir);
}
