/* teebuild: hermetic, attested smart-contract builds. Entry point: global options and dispatch. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
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
    {"reprotest", cmd_reprotest, "run a job or build twice under varied host conditions, compare outputs"},
};

static void print_help(FILE *out) {
  (void)fputs("usage: teebuild [--store DIR] [--tee KIND] [--json] [-v|-q] COMMAND [ARGS]\n\ncommands:\n", out);
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    (void)fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  (void)fputs("\n'teebuild COMMAND --help' describes a command.\n", out);
}

void tb_usage_record(tb_error **err, const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cleanup_free char *msg = xvasprintf(fmt, ap);
  va_end(ap);
  (void)tb_error_set(err, TB_EXIT_USAGE, 0, "%s: %s (see 'teebuild %s --help')", cmd, msg, cmd);
}

int tb_flush_stdout(tb_error **err) {
  if (fflush(stdout) != 0 || ferror(stdout))
    return tb_error_set(err, TB_EXIT_INPUT, errno, "write to stdout");
  return 0;
}

/* Whether a command printed its --json result: main() answers for those that fail before. */
static bool json_printed;

int tb_print_json(json_t *result, tb_error **err) {
  cleanup_json json_t *owned = result;
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = tb_json_canonical(owned, &text, &len, err);
  if (ret < 0)
    return ret;
  json_printed = true;
  if (fwrite(text, 1, len, stdout) != len || fputc('\n', stdout) == EOF)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "write to stdout");
  return tb_flush_stdout(err);
}

void tb_print_json_result(const json_t *result) {
  cleanup_error tb_error *ignored = NULL;
  (void)tb_print_json(json_incref((json_t *)result), &ignored);
}

/* --json promises one object on stdout whatever happens past the global options. */
static void print_json_failure(int status, const tb_error *err) {
  if (json_printed)
    return;
  cleanup_json json_t *result = json_pack("{s:b, s:i, s:s}", "ok", 0, "exitCode", status, "error", err->msg);
  tb_print_json_result(result);
}

int tb_getopt(int argc, char **argv, const char *cmd, const char *shortopts, const struct option *longopts,
              tb_error **err) {
  /* A ':' first (after a '+' that stops at the first operand) makes getopt tell a missing value
   * (':') from an unknown option ('?'). */
  cleanup_free char *spec = shortopts[0] == '+' ? xasprintf("+:%s", shortopts + 1) : xasprintf(":%s", shortopts);
  opterr = 0;
  int opt = getopt_long(argc, argv, spec, longopts, NULL);
  /* A missing value ends argv, so argv[optind - 1] holds its option. An unknown short option may
   * sit inside a cluster ("-xq") that optind has not passed: optopt names it; for an unknown long
   * one optopt is 0 and optind has passed it. */
  if (opt == ':')
    (void)tb_usage_error(err, cmd, "%s needs a value", argv[optind - 1]);
  else if (opt == '?' && optopt != 0)
    (void)tb_usage_error(err, cmd, "unknown option -%c", optopt);
  else if (opt == '?')
    (void)tb_usage_error(err, cmd, "unknown option %s", argv[optind - 1]);
  return opt == ':' ? '?' : opt;
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
    /* Like every failure, one line first; the command list follows as details. */
    (void)fputs("teebuild: no command given (see 'teebuild --help')\n", stderr);
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
      status = status > 0 ? status : tb_error_exit_code(err);
      if (g.json)
        print_json_failure(status, err);
    }
    tb_log_print_later();
    if (err != NULL)
      return status;
    return status < 0 ? TB_EXIT_INPUT : status;
  }
  (void)fprintf(stderr, "teebuild: unknown command '%s' (see 'teebuild --help')\n", argv[1]);
  return TB_EXIT_USAGE;
}
