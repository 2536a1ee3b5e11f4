/* teebuild: hermetic, attested smart-contract builds. Entry point: global options and dispatch. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runner/cli.h"

#ifndef TEEBUILD_VERSION
#define TEEBUILD_VERSION "0.0.0"
#endif

struct command {
  const char *name;
  tb_command_fn fn;
  const char *summary;
};

static const struct command commands[] = {
    {"build", cmd_build, "compile Solidity with a pinned solc in the jail"},
    {"run", cmd_run, "run a job file (any pinned toolchain, any argv) in the jail"},
    {"toolchain", cmd_toolchain, "add|fetch|list|verify|gc|pack toolchains in the store"},
    {"verify", cmd_verify, "check an OUT directory offline: signature, binding, quote, subjects"},
    {"tee-sim", cmd_tee_sim, "serve a simulated dstack agent on a Unix socket"},
    {"quote", cmd_quote, "print a raw quote over --report-data HEX, or 'quote verify QUOTE' (DCAP check)"},
    {"audit", cmd_audit, "run Slither in the jail on exactly what a build compiled, attested"},
};

static void print_help(FILE *out) {
  fputs("usage: teebuild [--store DIR] [--tee KIND] [--json] [-v|-q] COMMAND [ARGS]\n\ncommands:\n", out);
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("\n'teebuild COMMAND --help' describes a command.\n", out);
}

int tb_usage_error(tb_error **err, const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cleanup_free char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    abort();
  va_end(ap);
  return tb_error_set(err, TB_EXIT_USAGE, 0, "%s: %s (see 'teebuild %s --help')", cmd, msg, cmd);
}

/* Take the global options out of argv wherever they stand, so every command sees only its own. */
static int take_globals(int *argc, char **argv, struct tb_globals *g, tb_error **err) {
  int out = 1;
  for (int i = 1; i < *argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (strcmp(a, "--store") == 0)
      slot = &g->store_dir;
    else if (strcmp(a, "--tee") == 0)
      slot = &g->tee;
    if (slot) {
      if (i + 1 >= *argc)
        return tb_error_set(err, TB_EXIT_USAGE, 0, "%s needs a value", a);
      *slot = argv[++i];
      continue;
    }
    if (strncmp(a, "--store=", 8) == 0) {
      g->store_dir = a + 8;
    } else if (strncmp(a, "--tee=", 6) == 0) {
      g->tee = a + 6;
    } else if (strcmp(a, "--json") == 0) {
      g->json = true;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      tb_log_set_verbosity(TB_VERBOSE);
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      tb_log_set_verbosity(TB_QUIET);
    } else {
      argv[out++] = argv[i];
      continue;
    }
  }
  argv[out] = NULL;
  *argc = out;
  static const char *const tees[] = {"auto", "dstack", "tappd", "tsm", "simulated", "none"};
  for (size_t i = 0; i < sizeof(tees) / sizeof(tees[0]); i++)
    if (strcmp(g->tee, tees[i]) == 0)
      return 0;
  return tb_error_set(err, TB_EXIT_USAGE, 0, "--tee: unknown kind '%s' (auto|dstack|tappd|tsm|simulated|none)",
                      g->tee);
}

int main(int argc, char **argv) {
  struct tb_globals g = {.tee = "auto"};
  cleanup_error tb_error *err = NULL;
  if (take_globals(&argc, argv, &g, &err) < 0) {
    tb_error_print(err, stderr);
    return TB_EXIT_USAGE;
  }
  if (argc < 2) {
    print_help(stderr);
    return TB_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("teebuild %s\n", TEEBUILD_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    print_help(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(argv[1], commands[i].name) != 0)
      continue;
    int status = commands[i].fn(&g, argc - 1, argv + 1, &err);
    if (err != NULL) {
      tb_error_print(err, stderr);
      /* A command may pass up a negative errno-like code: the error's class is the exit status. */
      return status > 0 ? status : tb_error_exit_code(err);
    }
    return status < 0 ? TB_EXIT_INPUT : status;
  }
  fprintf(stderr, "teebuild: unknown command '%s' (see 'teebuild --help')\n", argv[1]);
  return TB_EXIT_USAGE;
}
