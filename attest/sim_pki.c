/* Creating and loading the simulation PKI. Creation happens once per directory: concurrent tee-sim
 * instances serialize on an flock, every file is written atomically, and a "ready" marker written
 * last says the set is complete. */
#include "attest/sim_pki.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "attest/dcap_crypto.h"
#include "attest/dcap_pck_ext.h"
#include "attest/quote_tdx.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

const unsigned char sim_fmspc[6] = {0x7e, 0xeb, 0x51, 0x00, 0x00, 0x00};
const unsigned char sim_pce_id[2] = {0x00, 0x00};
const uint16_t sim_pce_svn = 11;
const unsigned char sim_cpu_svn[16] = {2, 2, 2, 2, 3, 1, 0, 5};
const unsigned char sim_tee_tcb_svn[16] = {6, 1, 3};
/* SHA-256("teebuild simulated QE signer"): anything but Intel's QE MRSIGNER. */
const unsigned char sim_qe_mrsigner[32] = {0x5e, 0x1b, 0x9a, 0x3d, 0x0c, 0x71, 0x42, 0xe8, 0x6f, 0x13, 0xa4,
                                           0x2b, 0xd5, 0x90, 0x07, 0xc6, 0x38, 0xee, 0x51, 0x8a, 0x24, 0x9f,
                                           0x63, 0x0d, 0xb7, 0x15, 0xc2, 0x4e, 0x81, 0x3a, 0xf6, 0x29};
const uint16_t sim_qe_isv_prod_id = 2, sim_qe_isv_svn = 4;

enum { ROOT, PCK_CA, PCK, TCB, ATTEST, N_PARTS };
static const char *const part_names[N_PARTS] = {"root", "pck-ca", "pck", "tcb-signing", "attestation"};
static const char *const part_cns[N_PARTS] = {
    SIM_CN_PREFIX " Root CA \xe2\x80\x94 not Intel", SIM_CN_PREFIX " PCK Platform CA", SIM_CN_PREFIX " PCK Certificate",
    SIM_CN_PREFIX " TCB Signing", NULL};

#define SIM_NOT_BEFORE "20200101000000Z"
#define SIM_NOT_AFTER "20491231235959Z"

static EVP_PKEY **key_slot(struct sim_pki *p, int part) {
  EVP_PKEY **slots[N_PARTS] = {&p->root_key, &p->pck_ca_key, &p->pck_key, &p->tcb_key, &p->attest_key};
  return slots[part];
}

static X509 **cert_slot(struct sim_pki *p, int part) {
  X509 **slots[N_PARTS] = {&p->root, &p->pck_ca, &p->pck, &p->tcb, NULL};
  return slots[part];
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  int ok = ext != NULL && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok ? 0 : -1;
}

/* The PCK leaf carries the SGX extension a real PCK certificate has, built from the sim identity. */
static int add_sgx_ext(X509 *cert, tb_error **err) {
  struct pck_ext e = {.pce_svn = sim_pce_svn};
  memcpy(e.cpu_svn, sim_cpu_svn, 16);
  memcpy(e.pce_id, sim_pce_id, 2);
  memcpy(e.fmspc, sim_fmspc, 6);
  memcpy(e.ppid, "teebuild-sim-ppid", 16);
  unsigned char *der = NULL;
  int len = 0;
  if (pck_ext_encode(&e, &der, &len, err) < 0)
    return -EINVAL;
  ASN1_OCTET_STRING *data = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(data, der, len);
  OPENSSL_free(der);
  ASN1_OBJECT *oid = OBJ_txt2obj(SGX_EXT_OID, 1);
  X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, data);
  int ok = ext != NULL && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  ASN1_OBJECT_free(oid);
  ASN1_OCTET_STRING_free(data);
  return ok ? 0 : tb_error_set(err, TB_EXIT_ATTEST, 0, "sim PKI: add the SGX extension");
}

static X509 *make_cert(int part, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, tb_error **err) {
  X509 *c = X509_new();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), part + 1);
  X509_NAME *name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)part_cns[part], -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"teebuild simulation", -1, -1, 0);
  X509_set_subject_name(c, name);
  X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
  X509_NAME_free(name);
  ASN1_TIME_set_string(X509_getm_notBefore(c), SIM_NOT_BEFORE);
  ASN1_TIME_set_string(X509_getm_notAfter(c), SIM_NOT_AFTER);
  X509_set_pubkey(c, key);
  X509 *signer = issuer ? issuer : c;
  int is_ca = part == ROOT || part == PCK_CA;
  int ok = add_ext(c, signer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") == 0 &&
           add_ext(c, signer, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation") == 0 &&
           add_ext(c, signer, NID_subject_key_identifier, "hash") == 0 &&
           (issuer == NULL || add_ext(c, signer, NID_authority_key_identifier, "keyid:always") == 0);
  if (ok && part == PCK && add_sgx_ext(c, err) < 0)
    ok = 0;
  if (!ok || X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) <= 0) {
    X509_free(c);
    tb_error_set(err, TB_EXIT_ATTEST, 0, "sim PKI: make the %s certificate", part_names[part]);
    return NULL;
  }
  return c;
}

static int create_parts(struct sim_pki *p, tb_error **err) {
  static const int issuer_of[N_PARTS] = {-1, ROOT, PCK_CA, ROOT, -1};
  for (int part = 0; part < N_PARTS; part++) {
    *key_slot(p, part) = EVP_EC_gen("P-256");
    if (*key_slot(p, part) == NULL)
      return tb_error_set(err, TB_EXIT_ATTEST, 0, "sim PKI: generate the %s key", part_names[part]);
    if (cert_slot(p, part) == NULL)
      continue;
    int is = issuer_of[part];
    *cert_slot(p, part) = make_cert(part, *key_slot(p, part), is < 0 ? NULL : *cert_slot(p, is),
                                    is < 0 ? NULL : *key_slot(p, is), err);
    if (*cert_slot(p, part) == NULL)
      return -EINVAL;
  }
  return 0;
}

static char *bio_text(BIO *bio, size_t *len) {
  char *mem = NULL;
  long n = BIO_get_mem_data(bio, &mem);
  char *s = xstrndup(mem, (size_t)n);
  if (len)
    *len = (size_t)n;
  return s;
}

char *sim_pki_pem(X509 *const *certs, int n) {
  BIO *bio = BIO_new(BIO_s_mem());
  for (int i = 0; i < n; i++)
    PEM_write_bio_X509(bio, certs[i]);
  char *s = bio_text(bio, NULL);
  BIO_free(bio);
  return s;
}

static int write_part(const char *dir, struct sim_pki *p, int part, tb_error **err) {
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, *key_slot(p, part), NULL, NULL, 0, NULL, NULL);
  if (cert_slot(p, part))
    PEM_write_bio_X509(bio, *cert_slot(p, part));
  size_t len = 0;
  cleanup_free char *text = bio_text(bio, &len);
  BIO_free(bio);
  cleanup_free char *path = xasprintf("%s/%s.pem", dir, part_names[part]);
  return tb_write_file_atomic(path, text, len, 0600, err);
}

static int read_part(const char *dir, struct sim_pki *p, int part, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/%s.pem", dir, part_names[part]);
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = tb_read_file(path, 1 << 20, &text, &len, err);
  if (ret < 0)
    return ret;
  BIO *bio = BIO_new_mem_buf(text, (int)len);
  *key_slot(p, part) = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  if (cert_slot(p, part))
    *cert_slot(p, part) = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  BIO_free(bio);
  if (*key_slot(p, part) == NULL || (cert_slot(p, part) && *cert_slot(p, part) == NULL))
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "sim PKI: %s does not hold a key and certificate", path);
  return 0;
}

static int create_pki(const char *dir, struct sim_pki *p, tb_error **err) {
  int ret = create_parts(p, err);
  for (int part = 0; ret == 0 && part < N_PARTS; part++)
    ret = write_part(dir, p, part, err);
  if (ret < 0)
    return ret;
  cleanup_free char *ready = xasprintf("%s/ready", dir);
  return tb_write_file_atomic(ready, "teebuild simulation PKI v1\n", 27, 0644, err);
}

int sim_pki_open(const char *sim_dir, struct sim_pki *pki, tb_error **err) {
  memset(pki, 0, sizeof(*pki));
  int ret = tb_mkdir_p(sim_dir, 0700, err);
  if (ret < 0)
    return ret;
  cleanup_free char *lock_path = xasprintf("%s/.lock", sim_dir);
  cleanup_close int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "open %s", lock_path);
  if (flock(lock, LOCK_EX) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "lock %s", lock_path);
  cleanup_free char *ready = xasprintf("%s/ready", sim_dir);
  struct stat st;
  if (stat(ready, &st) < 0)
    ret = create_pki(sim_dir, pki, err);
  else
    for (int part = 0; ret == 0 && part < N_PARTS; part++)
      ret = read_part(sim_dir, pki, part, err);
  if (ret < 0) {
    sim_pki_close(pki);
    return tb_error_wrap(err, "simulation PKI in %s", sim_dir);
  }
  return 0; /* the lock is released when `lock` is closed */
}

void sim_pki_close(struct sim_pki *pki) {
  for (int part = 0; part < N_PARTS; part++) {
    EVP_PKEY_free(*key_slot(pki, part));
    *key_slot(pki, part) = NULL;
    if (cert_slot(pki, part)) {
      X509_free(*cert_slot(pki, part));
      *cert_slot(pki, part) = NULL;
    }
  }
}

bool sim_pki_claimed_by(const struct tdx_quote *q) {
  cleanup_x509_stack STACK_OF(X509) *chain = pem_chain_read((const char *)q->cert_data, q->cert_size);
  char issuer[256];
  if (chain == NULL ||
      X509_NAME_get_text_by_NID(X509_get_issuer_name(sk_X509_value(chain, 0)), NID_commonName, issuer, sizeof(issuer)) < 0)
    return false; /* no chain, or a leaf without an issuer CN: not the simulation's */
  return strncmp(issuer, SIM_CN_PREFIX, strlen(SIM_CN_PREFIX)) == 0;
}
