/* teebuild tee-sim [--socket PATH] [--listen HOST:PORT] [--sim-root DIR]: serve the dstack
 * guest-agent protocol with simulated quotes, and the simulation's collateral, until SIGINT or
 * SIGTERM. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "attest/tee_sim.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "runner/cli.h"
#include "runner/tee_setup.h"

static const char usage[] =
    "usage: teebuild tee-sim [--socket PATH] [--listen HOST:PORT] [--sim-root DIR]\n"
    "\n"
    "Serve the dstack guest-agent protocol (/GetQuote, /Info, /GetKey, /EmitEvent) on the Unix socket\n"
    "PATH, for machines without TDX. Quotes are real TDX v4 quotes signed by a SIMULATION root kept in\n"
    "DIR (default: STORE/tee-sim), never by Intel's: `teebuild verify` rejects them unless given\n"
    "--allow-simulated. Point Phala's SDKs at it with DSTACK_SIMULATOR_ENDPOINT=PATH. EmitEvent extends\n"
    "the simulated RTMR3 for the life of this process; later quotes carry the event in their log.\n"
    "\n"
    "--listen HOST:PORT  also serve the simulation's collateral as a PCCS (API v4: pckcrl, tcb,\n"
    "                    qe/identity, rootcacrl) on a loopback address (127.0.0.1:PORT or [::1]:PORT;\n"
    "                    others are refused; PORT 0 picks one), for `verify --pccs URL` and\n"
    "                    `quote verify --pccs URL`. Only the collateral: quotes and keys stay on the\n"
    "                    socket, whose permissions decide who may ask for them. The URL is logged.\n"
    "                    The collateral is public; verifiers still trust only their own --sim-root.\n"
    "\n"
    "At least one of --socket and --listen. Runs until SIGINT or SIGTERM, then removes the socket.\n";

int cmd_tee_sim(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  static const struct option long_opts[] = {
      {"socket", required_argument, NULL, 's'}, {"listen", required_argument, NULL, 'l'},
      {"sim-root", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'}, {0}};
  const char *socket_path = NULL, *listen_addr = NULL, *sim_root = NULL;
  int opt;
  optind = 0;
  while ((opt = tb_getopt(argc, argv, "tee-sim", "h", long_opts, err)) != -1) {
    switch (opt) {
    case 's': socket_path = optarg; break;
    case 'l': listen_addr = optarg; break;
    case 'r': sim_root = optarg; break;
    case 'h': (void)fputs(usage, stdout); return 0;
    default: return TB_EXIT_USAGE;
    }
  }
  if ((socket_path == NULL && listen_addr == NULL) || optind != argc) {
    tb_usage_error(err, "tee-sim", "expected --socket PATH and/or --listen HOST:PORT, and nothing else");
    return TB_EXIT_USAGE;
  }
  cleanup_free char *sim_dir = NULL;
  if (tee_sim_dir(g->store_dir, sim_root, &sim_dir, err) < 0)
    return tb_error_exit_code(*err);
  /* Block the stop signals before the server thread starts so that only sigwait() sees them. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  struct tb_tee_sim *sim = NULL;
  cleanup_free char *url = NULL;
  if (tb_tee_sim_start(socket_path, sim_dir, &sim, err) < 0)
    return tb_error_exit_code(*err);
  if (listen_addr && tb_tee_sim_listen_tcp(sim, listen_addr, &url, err) < 0) {
    tb_tee_sim_stop(sim);
    return tb_error_exit_code(*err);
  }
  if (socket_path)
    tb_warn("tee-sim: serving a SIMULATED dstack agent on %s (root in %s)", socket_path, sim_dir);
  if (url)
    tb_warn("tee-sim: serving the SIMULATED collateral as a PCCS at %s (root in %s)", url, sim_dir);
  int sig = 0;
  sigwait(&stop, &sig);
  tb_tee_sim_stop(sim);
  tb_info("tee-sim: stopped");
  return 0;
}
