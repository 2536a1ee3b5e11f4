/* Building a simulated TDX v4 quote, byte for byte in the layout quote_tdx.c reads. */
#include "attest/sim_quote.h"

#include <openssl/x509.h>
#include <string.h>

#include "attest/dcap_crypto.h"
#include "attest/quote_tdx.h"
#include "attest/sim_pki.h"
#include "common/buf.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

/* Intel's QE vendor ID: clients that check it keep working against the simulator. */
static const unsigned char qe_vendor_id[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                               0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
#define SIM_QE_AUTH_LEN 32
/* TD_ATTRIBUTES: SEPT_VE_DISABLE (bit 28) set, not debug; what dstack's TDs report. */
static const unsigned char td_attributes[8] = {0x00, 0x00, 0x00, 0x10};
static const unsigned char xfam[8] = {0xe7, 0x02, 0x06};

static void put_u16(struct tb_buf *o, uint16_t v) { tb_buf_add(o, (unsigned char[]){v & 0xff, v >> 8}, 2); }
static void put_u32(struct tb_buf *o, uint32_t v) {
  tb_buf_add(o, (unsigned char[]){v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24}, 4);
}

static void put_header(struct tb_buf *o) {
  put_u16(o, 4);
  put_u16(o, TDX_ATT_KEY_ECDSA_P256);
  put_u32(o, TDX_TEE_TYPE);
  put_u16(o, sim_qe_isv_svn);
  put_u16(o, sim_pce_svn);
  tb_buf_add(o, qe_vendor_id, 16);
  unsigned char user_data[20] = "teebuild-simulated";
  tb_buf_add(o, user_data, 20);
}

/* Fixed placeholder measurements: SHA-256 of a label, repeated to 48 bytes' worth. */
static void placeholder(const char *label, unsigned char out[48]) {
  unsigned char h[32];
  tb_sha256_buf(label, strlen(label), h);
  memcpy(out, h, 32);
  memcpy(out + 32, h, 16);
}

static void put_td_body(struct tb_buf *o, const unsigned char report_data[64], const struct sim_td_measurements *m) {
  struct sim_td_measurements fixed = {0}; /* RTMR0-3 zero */
  if (m == NULL) {
    placeholder("teebuild simulated MRTD", fixed.mr_td);
    m = &fixed;
  }
  unsigned char *b = tb_buf_grow(o, TDX_TD10_BODY_LEN);
  memcpy(b, sim_tee_tcb_svn, 16);
  placeholder("teebuild simulated TDX module", b + 16); /* mr_seam */
  /* mr_signer_seam and seam_attributes stay zero: Intel-signed module, as the TCB info expects */
  memcpy(b + 120, td_attributes, 8);
  memcpy(b + 128, xfam, 8);
  memcpy(b + 136, m->mr_td, 48);
  for (int i = 0; i < 4; i++)
    memcpy(b + 328 + (size_t)48 * i, m->rtmr[i], 48);
  memcpy(b + 520, report_data, 64);
}

/* The QE's SGX report: its report_data binds the attestation key and the QE auth data. */
static void make_qe_report(const unsigned char attest_key[64], const unsigned char *auth, unsigned char r[384]) {
  memset(r, 0, 384);
  memcpy(r, sim_cpu_svn, 16);
  r[48] = 0x11; /* ATTRIBUTES: INIT | MODE64BIT, not DEBUG */
  placeholder("teebuild simulated QE", r + 64); /* mr_enclave (32 of the 48 bytes used) */
  memset(r + 96, 0, 32);
  memcpy(r + 128, sim_qe_mrsigner, 32);
  r[256] = sim_qe_isv_prod_id & 0xff;
  r[258] = sim_qe_isv_svn & 0xff;
  tb_sha256_ctx *h = tb_sha256_new();
  tb_sha256_update(h, attest_key, 64);
  tb_sha256_update(h, auth, SIM_QE_AUTH_LEN);
  tb_sha256_final(h, r + 320);
}

static int put_signature_data(struct tb_buf *o, struct sim_pki *pki, tb_error **err) {
  unsigned char attest_key[64], sig[64], qe_report[384], qe_sig[64], auth[SIM_QE_AUTH_LEN];
  for (int i = 0; i < SIM_QE_AUTH_LEN; i++)
    auth[i] = (unsigned char)i;
  if (ec_pubkey_to_raw(pki->attest_key, attest_key) < 0 || ecdsa_sign_raw(pki->attest_key, (const unsigned char *)o->data, o->len, sig) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "simulated quote: sign the TD report");
  make_qe_report(attest_key, auth, qe_report);
  if (ecdsa_sign_raw(pki->pck_key, qe_report, sizeof(qe_report), qe_sig) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "simulated quote: sign the QE report");
  X509 *chain[] = {pki->pck, pki->pck_ca, pki->root};
  cleanup_free char *pem = sim_pki_pem(chain, 3);
  size_t pem_len = strlen(pem) + 1; /* Intel's chains end with a NUL; keep the real shape */
  uint32_t inner = (uint32_t)(384 + 64 + 2 + SIM_QE_AUTH_LEN + 2 + 4 + pem_len);
  put_u32(o, (uint32_t)(64 + 64 + 2 + 4 + inner));
  tb_buf_add(o, sig, 64);
  tb_buf_add(o, attest_key, 64);
  put_u16(o, TDX_CERT_TYPE_QE_REPORT);
  put_u32(o, inner);
  tb_buf_add(o, qe_report, 384);
  tb_buf_add(o, qe_sig, 64);
  put_u16(o, SIM_QE_AUTH_LEN);
  tb_buf_add(o, auth, SIM_QE_AUTH_LEN);
  put_u16(o, TDX_CERT_TYPE_PCK_CHAIN);
  put_u32(o, (uint32_t)pem_len);
  tb_buf_add(o, pem, pem_len);
  return 0;
}

int sim_quote_make_td(const char *sim_dir, const unsigned char report_data[64], const struct sim_td_measurements *m,
                      unsigned char **quote, size_t *quote_len, tb_error **err) {
  struct sim_pki pki;
  int ret = sim_pki_open(sim_dir, &pki, err);
  if (ret < 0)
    return ret;
  struct tb_buf o = {0};
  put_header(&o);
  put_td_body(&o, report_data, m);
  ret = put_signature_data(&o, &pki, err);
  sim_pki_close(&pki);
  if (ret < 0) {
    free(o.data);
    return ret;
  }
  *quote = (unsigned char *)o.data;
  *quote_len = o.len;
  return 0;
}

int sim_quote_make(const char *sim_dir, const unsigned char report_data[64], unsigned char **quote,
                   size_t *quote_len, tb_error **err) {
  return sim_quote_make_td(sim_dir, report_data, NULL, quote, quote_len, err);
}

int sim_root_der(const char *sim_dir, unsigned char **der, size_t *der_len, tb_error **err) {
  struct sim_pki pki;
  int ret = sim_pki_open(sim_dir, &pki, err);
  if (ret < 0)
    return ret;
  unsigned char *p = NULL;
  int len = i2d_X509(pki.root, &p);
  sim_pki_close(&pki);
  if (len <= 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "simulation root: DER encoding failed");
  *der = xmalloc((size_t)len);
  memcpy(*der, p, (size_t)len);
  OPENSSL_free(p);
  *der_len = (size_t)len;
  return 0;
}
