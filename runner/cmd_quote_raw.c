/* teebuild quote --report-data HEX: ask the TEE for a raw quote, for debugging a TEE. */
#include <getopt.h>
#include <stdio.h>

#include "attest/tee.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"
#include "runner/cli.h"
#include "runner/tee_setup.h"

static const char usage[] =
    "usage: teebuild quote --report-data HEX [--tee KIND] [--sim-root DIR]\n"
    "       teebuild quote verify QUOTE [--collateral FILE] [--time UNIX_S]\n"
    "\n"
    "Ask the TEE (--tee, default auto) for a quote over HEX (at most 64 bytes, zero-padded on the\n"
    "right to 64) and print it as lowercase hex; with --json print {\"tee\", \"quote\", \"reportData\",\n"
    "\"eventLog\"}. Exit status: 0 a quote was printed; 2 usage; 5 no quote could be obtained.\n";

static void print_evidence(const struct tb_globals *g, const char *provider, const struct tb_tee_evidence *ev,
                           const unsigned char report_data[TB_REPORT_DATA_LEN]) {
  cleanup_free char *quote = xmalloc(2 * ev->quote_len + 1);
  tb_hex_encode(ev->quote, ev->quote_len, quote);
  if (!g->json) {
    puts(quote);
    return;
  }
  char rd[2 * TB_REPORT_DATA_LEN + 1];
  tb_hex_encode(report_data, TB_REPORT_DATA_LEN, rd);
  cleanup_json json_t *j =
      json_pack("{s:s, s:s, s:s, s:O}", "tee", provider, "quote", quote, "reportData", rd, "eventLog", ev->event_log);
  tb_print_json_result(j);
}

int cmd_quote_raw(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  enum { REPORT_DATA = 1, SIM_ROOT };
  static const struct option long_opts[] = {{"report-data", required_argument, NULL, REPORT_DATA},
                                            {"sim-root", required_argument, NULL, SIM_ROOT},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
  const char *hex = NULL, *sim_root = NULL;
  int opt;
  optind = 0;
  while ((opt = tb_getopt(argc, argv, "quote", "h", long_opts, err)) != -1) {
    switch (opt) {
    case REPORT_DATA: hex = optarg; break;
    case SIM_ROOT: sim_root = optarg; break;
    case 'h': (void)fputs(usage, stdout); return 0;
    default: return TB_EXIT_USAGE;
    }
  }
  unsigned char report_data[TB_REPORT_DATA_LEN];
  if (hex == NULL || optind != argc || tb_report_data_from_hex(hex, report_data) < 0) {
    tb_usage_error(err, "quote", "expected --report-data HEX, hex of at most 64 bytes");
    return TB_EXIT_USAGE;
  }
  cleanup_free char *sim_dir = NULL;
  if (tee_sim_dir(g->store_dir, sim_root, &sim_dir, err) < 0)
    return tb_error_exit_code(*err);
  struct tb_tee_config cfg = {.sim_dir = sim_dir};
  cleanup_tee struct tb_tee *tee = NULL;
  struct tb_tee_evidence ev = {0};
  if (tb_tee_open(g->tee, &cfg, &tee, err) < 0 || tb_tee_quote(tee, report_data, &ev, err) < 0) {
    tb_error_wrap(err, "quote");
    return tb_error_exit_code(*err);
  }
  if (ev.quote == NULL) {
    tb_tee_evidence_clear(&ev);
    tb_error_set(err, TB_EXIT_ATTEST, 0, "quote: provider %s gives no quote", tb_tee_provider(tee));
    return TB_EXIT_ATTEST;
  }
  print_evidence(g, tb_tee_provider(tee), &ev, report_data);
  tb_tee_evidence_clear(&ev);
  return 0;
}
