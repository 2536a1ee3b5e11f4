#include "attest/bundle.h"

#include "attest/base64.h"
#include "attest/binding.h"
#include "attest/dsse.h"
#include "attest/key.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

static json_t *tee_section(const char *provider, const struct tb_tee_evidence *ev,
                           const unsigned char report_data[TB_REPORT_DATA_LEN]) {
  char rd_hex[2 * TB_REPORT_DATA_LEN + 1];
  tb_hex_encode(report_data, TB_REPORT_DATA_LEN, rd_hex);
  cleanup_free char *quote = tb_base64_encode(ev->quote, ev->quote_len);
  return json_pack("{s:s, s:s, s:O, s:s}", "provider", provider, "quote", quote, "eventLog", ev->event_log,
                   "reportData", rd_hex);
}

int tb_bundle_seal(struct tb_tee *tee, EVP_PKEY *key, const char *payload, size_t len, json_t **bundle,
                   tb_error **err) {
  cleanup_free unsigned char *spki = NULL, *sig = NULL;
  size_t spki_len = 0, sig_len = 0;
  cleanup_free char *pem = NULL;
  int ret = tb_key_spki_der(key, &spki, &spki_len, err);
  if (ret < 0 || (ret = tb_key_public_pem(key, &pem, err)) < 0 ||
      (ret = tb_dsse_sign(key, TB_DSSE_PAYLOAD_TYPE, payload, len, &sig, &sig_len, err)) < 0)
    return ret;
  char keyid[TB_KEYID_LEN];
  tb_key_id(spki, spki_len, keyid);
  unsigned char report_data[TB_REPORT_DATA_LEN];
  tb_binding_report_data(payload, len, spki, spki_len, report_data);
  struct tb_tee_evidence ev = {0};
  if ((ret = tb_tee_quote(tee, report_data, &ev, err)) < 0)
    return ret;
  *bundle = json_pack("{s:s, s:o, s:{s:s}, s:o}", "mediaType", TB_BUNDLE_MEDIA_TYPE, "dsseEnvelope",
                      tb_dsse_envelope_new(TB_DSSE_PAYLOAD_TYPE, payload, len, keyid, sig, sig_len),
                      "verificationMaterial", "publicKey", pem, "tee",
                      tee_section(tb_tee_provider(tee), &ev, report_data));
  tb_tee_evidence_clear(&ev);
  return 0;
}

void tb_bundle_add_key_chain(json_t *bundle, const json_t *chain) {
  json_object_set(json_object_get(bundle, "tee"), "keySignatureChain", (json_t *)chain);
}

int tb_bundle_write(const char *out_dir, const char *payload, size_t len, const json_t *bundle, tb_error **err) {
  cleanup_free char *prov = xasprintf("%s/%s", out_dir, TB_PROVENANCE_FILE);
  cleanup_free char *path = xasprintf("%s/%s", out_dir, TB_BUNDLE_FILE);
  int ret = tb_write_file_staged(prov, payload, len, 0644, err);
  if (ret < 0 || (ret = tb_json_write_file(path, bundle, err)) < 0)
    return ret;
  return 0;
}
