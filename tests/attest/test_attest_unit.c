/* Unit vectors: DSSE PAE, sign/verify, keyid, base64, RFC 8785 canonical JSON, the binding. */
#include <openssl/evp.h>
#include <string.h>

#include "attest/base64.h"
#include "attest/binding.h"
#include "attest/dsse.h"
#include "attest/key.h"
#include "check.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"

static void test_pae(void) {
  /* The DSSE specification's own example (protocol.md). */
  static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
  cleanup_free unsigned char *pae = NULL;
  size_t len = 0;
  tb_dsse_pae("http://example.com/HelloWorld", "hello world", 11, &pae, &len);
  CHECK(len == strlen(want) && memcmp(pae, want, len) == 0, "PAE matches the DSSE spec example");
  cleanup_free unsigned char *empty = NULL;
  tb_dsse_pae("", "", 0, &empty, &len);
  CHECK(len == 12 && memcmp(empty, "DSSEv1 0  0 ", 12) == 0, "PAE of empty type and body");
}

static void test_base64(void) {
  static const char *const cases[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cleanup_free char *enc = tb_base64_encode(cases[i][0], strlen(cases[i][0]));
    cleanup_free unsigned char *dec = NULL;
    size_t n = 0;
    cleanup_error tb_error *e = NULL;
    int ret = tb_base64_decode(cases[i][1], &dec, &n, TB_EXIT_VERIFY, &e);
    CHECK(strcmp(enc, cases[i][1]) == 0 && ret == 0 && n == strlen(cases[i][0]) && memcmp(dec, cases[i][0], n) == 0,
          "base64 RFC 4648 vector \"%s\"", cases[i][0]);
  }
  cleanup_free unsigned char *dec = NULL;
  size_t n = 0;
  cleanup_error tb_error *e = NULL;
  CHECK(tb_base64_decode("Zm9", &dec, &n, TB_EXIT_VERIFY, &e) < 0, "truncated base64 refused");
  /* Texts OpenSSL alone would decode: '=' inside, blanks, padding bits set, padding past two. */
  static const char *const lenient[] = {"Zm=v", "Zm9v    ", " Zm9v   ", "Zh==", "QUJD===="};
  for (size_t i = 0; i < sizeof(lenient) / sizeof(lenient[0]); i++) {
    cleanup_free unsigned char *d = NULL;
    cleanup_error tb_error *le = NULL;
    CHECK(tb_base64_decode(lenient[i], &d, &n, TB_EXIT_VERIFY, &le) < 0, "non-canonical base64 \"%s\" refused",
          lenient[i]);
  }
}

static void test_sign_verify(void) {
  cleanup_error tb_error *e = NULL;
  cleanup_pkey EVP_PKEY *key = NULL, *other = NULL;
  CHECK(tb_key_generate(&key, &e) == 0 && tb_key_generate(&other, &e) == 0, "generate P-256 keys");
  static const char payload[] = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
  cleanup_free unsigned char *sig = NULL;
  size_t sig_len = 0;
  CHECK(tb_dsse_sign(key, TB_DSSE_PAYLOAD_TYPE, payload, strlen(payload), &sig, &sig_len, &e) == 0, "sign");
  CHECK(sig_len > 8 && sig[0] == 0x30, "signature is ASN.1 DER (SEQUENCE)");
  CHECK(tb_dsse_verify(key, TB_DSSE_PAYLOAD_TYPE, payload, strlen(payload), sig, sig_len, &e) == 0, "verify");
  cleanup_error tb_error *e2 = NULL, *e3 = NULL, *e4 = NULL;
  CHECK(tb_dsse_verify(other, TB_DSSE_PAYLOAD_TYPE, payload, strlen(payload), sig, sig_len, &e2) < 0,
        "another key does not verify");
  CHECK(tb_dsse_verify(key, "text/plain", payload, strlen(payload), sig, sig_len, &e3) < 0,
        "another payloadType does not verify (PAE binds the type)");
  sig[sig_len / 2] ^= 1;
  CHECK(tb_dsse_verify(key, TB_DSSE_PAYLOAD_TYPE, payload, strlen(payload), sig, sig_len, &e4) < 0,
        "a flipped signature byte does not verify");

  cleanup_free unsigned char *spki = NULL;
  size_t spki_len = 0;
  cleanup_free char *pem = NULL;
  CHECK(tb_key_spki_der(key, &spki, &spki_len, &e) == 0 && tb_key_public_pem(key, &pem, &e) == 0, "export public key");
  char keyid[TB_KEYID_LEN];
  tb_key_id(spki, spki_len, keyid);
  unsigned char digest[TB_SHA256_LEN];
  char hex[TB_SHA256_HEX_LEN + 1];
  tb_sha256_buf(spki, spki_len, digest);
  tb_hex_encode(digest, sizeof(digest), hex);
  CHECK(strncmp(keyid, "sha256:", 7) == 0 && strcmp(keyid + 7, hex) == 0, "keyid is sha256: + hex SHA-256(SPKI DER)");
  cleanup_pkey EVP_PKEY *back = NULL;
  CHECK(tb_key_load_public_pem(pem, &back, &e) == 0 && EVP_PKEY_eq(back, key) == 1, "PEM public key round trip");
}

static void test_canonical(void) {
  /* RFC 8785 section 3.2.3: property sorting by UTF-16 code units. */
  static const char in[] = "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew\", "
                           "\"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji\", \"\\u0080\": \"Control\", "
                           "\"\\u00f6\": \"o\"}";
  static const char want[] = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"o\","
                             "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji\",\"\xef\xac\xb3\":\"Hebrew\"}";
  cleanup_error tb_error *e = NULL;
  cleanup_json json_t *j = NULL;
  cleanup_free char *out = NULL;
  size_t len = 0;
  CHECK(tb_json_load_buf("vector", in, strlen(in), &j, &e) == 0 && tb_json_canonical(j, &out, &len, &e) == 0,
        "canonicalize the RFC 8785 sorting vector");
  CHECK(out && strcmp(out, want) == 0, "RFC 8785 key order and escaping: %s", out ? out : "(null)");
  cleanup_json json_t *nested = json_pack("{s:[i, s, b, n], s:{s:s}}", "b", -7, "\x1f\"\\", 1, "a", "z", "\n");
  cleanup_free char *out2 = NULL;
  CHECK(tb_json_canonical(nested, &out2, &len, &e) == 0 && strcmp(out2, "{\"a\":{\"z\":\"\\n\"},\"b\":[-7,\"\\u001f\\\"\\\\\",true,null]}") == 0,
        "nested canonical form: %s", out2 ? out2 : "(null)");
}

static void test_binding(void) {
  static const char payload[] = "payload";
  static const unsigned char spki[] = {0x30, 0x59, 0x30, 0x13};
  unsigned char rd[TB_REPORT_DATA_LEN], a[TB_SHA256_LEN], b[TB_SHA256_LEN];
  tb_binding_report_data(payload, strlen(payload), spki, sizeof(spki), rd);
  tb_sha256_buf(payload, strlen(payload), a);
  tb_sha256_buf(spki, sizeof(spki), b);
  CHECK(memcmp(rd, a, 32) == 0 && memcmp(rd + 32, b, 32) == 0, "report_data = SHA-256(payload) || SHA-256(SPKI)");
}

int main(void) {
  test_pae();
  test_base64();
  test_sign_verify();
  test_canonical();
  test_binding();
  return check_done();
}
