/* Test helper (not a test): write a simulated quote, its collateral and the sim root DER into DIR,
 * so that other verifiers (@phala/dcap-qvl) can be given exactly what teebuild's simulation makes.
 * usage: dcap_sim_dump SIM_DIR OUT_DIR NOW */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    (void)fputs("usage: dcap_sim_dump SIM_DIR OUT_DIR NOW\n", stderr);
    return 2;
  }
  unsigned char rd[64] = "teebuild cross-check";
  cleanup_free unsigned char *quote = NULL, *root = NULL;
  cleanup_free char *coll = NULL;
  size_t qlen = 0, rlen = 0;
  cleanup_error tb_error *err = NULL;
  cleanup_free char *qp = xasprintf("%s/sim_quote.bin", argv[2]);
  cleanup_free char *cp = xasprintf("%s/sim_collateral.json", argv[2]);
  cleanup_free char *rp = xasprintf("%s/sim_root.der", argv[2]);
  if (sim_quote_make(argv[1], rd, &quote, &qlen, &err) < 0 || sim_collateral_json(argv[1], atoll(argv[3]), &coll, &err) < 0 ||
      sim_root_der(argv[1], &root, &rlen, &err) < 0 || tb_write_file_atomic(qp, quote, qlen, 0644, &err) < 0 ||
      tb_write_file_atomic(cp, coll, strlen(coll), 0644, &err) < 0 || tb_write_file_atomic(rp, root, rlen, 0644, &err) < 0) {
    tb_error_print(err, stderr);
    return 1;
  }
  return 0;
}
