/* teebuild reprotest: the same job twice, under host conditions that must not matter, and every
 * subject's digest compared (design.md "Commands").
 *
 * Each run is this teebuild again (/proc/self/exe), as a child process: the job machinery then
 * runs exactly as `teebuild run` or `teebuild build` runs it, and each run's host conditions are
 * the child's own. The first run is a baseline (TZ=UTC, LANG=LC_ALL=C.UTF-8, umask 022, the
 * caller's directory); the second differs in each of them. SOURCE_DATE_EPOCH is left as it is:
 * it is an input, not a condition. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest/subjects.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runner/cli.h"

static const char usage[] =
    "usage: teebuild reprotest [-o DIR] JOB.json [run options]\n"
    "       teebuild reprotest [-o DIR] run JOB.json [run options]\n"
    "       teebuild reprotest [-o DIR] build [build args]\n"
    "\n"
    "Run a job (or a build) twice and compare every subject's SHA-256. The second run differs from\n"
    "the first in TZ, LANG/LC_ALL, umask and working directory; SOURCE_DATE_EPOCH is unchanged.\n"
    "The runs' own outputs are chosen here: give no -o in the job's or build's arguments.\n"
    "Arguments that name an existing file or directory are made absolute, so the second run can\n"
    "start elsewhere. reprotest's own options come before JOB.json, run or build.\n"
    "\n"
    "-o DIR   keep both outputs as DIR/1 and DIR/2 (default: a temporary directory, removed)\n"
    "\n"
    "Prints which subjects differ or exist in one run only. --json: {\"ok\", \"subjects\", \"differ\"}, or\n"
    "{\"ok\": false, \"error\"} when a run failed.\n"
    "\n"
    "Exit status: 0 identical; 1 some subject differs; 2 usage; otherwise a run's own exit status\n"
    "(that run failed).\n";

/* The host conditions of one run. */
struct conditions {
  const char *tz, *lang, *cwd;
  mode_t umask;
};

/* path as seen from cwd, absolute: resolved if it exists, else joined to cwd. */
static char *absolute(const char *cwd, const char *path) {
  char *resolved = realpath(path, NULL);
  if (resolved != NULL)
    return resolved;
  return path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
}

/* The child's command line: teebuild [globals] COMMAND ARGS... -o OUT. Arguments naming an existing
 * path become absolute (the second run starts in another directory). */
static char **child_argv(const struct tb_globals *g, const char *cwd, char **args, int nargs, const char *out) {
  char **argv = xcalloc((size_t)nargs + 12, sizeof(char *));
  size_t n = 0;
  argv[n++] = xstrdup("teebuild");
  if (g->store_dir != NULL) {
    argv[n++] = xstrdup("--store");
    argv[n++] = absolute(cwd, g->store_dir);
  }
  argv[n++] = xstrdup("--tee");
  argv[n++] = xstrdup(g->tee);
  /* Quiet unless -v: a run's failure, if any, is then the first line on stderr. */
  argv[n++] = xstrdup(tb_log_verbosity() > TB_NORMAL ? "-v" : "-q");
  for (int i = 0; i < nargs; i++) {
    char *abs = args[i][0] != '-' ? realpath(args[i], NULL) : NULL;
    argv[n++] = abs ? abs : xstrdup(args[i]);
  }
  argv[n++] = xstrdup("-o");
  argv[n++] = xstrdup(out);
  return argv;
}

static _Noreturn void exec_child(const struct conditions *c, char **argv) {
  umask(c->umask);
  if (chdir(c->cwd) < 0 || setenv("TZ", c->tz, 1) < 0 || setenv("LANG", c->lang, 1) < 0 ||
      setenv("LC_ALL", c->lang, 1) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) /* stdout is ours */
    _exit(TB_EXIT_INPUT);
  execv("/proc/self/exe", argv);
  (void)fprintf(stderr, "teebuild: reprotest: exec /proc/self/exe: %s\n", strerror(errno));
  _exit(TB_EXIT_INPUT);
}

/* Run one child to completion; *status is its exit status (128 + N for signal N). */
static int run_child(const struct conditions *c, char **argv, int *status, tb_error **err) {
  (void)fflush(NULL); /* nothing buffered may be written twice */
  pid_t pid = fork();
  if (pid < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "fork");
  if (pid == 0)
    exec_child(c, argv);
  int ws;
  while (waitpid(pid, &ws, 0) < 0)
    if (errno != EINTR)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "wait for a run");
  *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  return 0;
}

/* name -> sha256 of every subject in OUT/provenance.json. */
static int load_subjects(const char *out, json_t **subjects, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/provenance.json", out);
  cleanup_json json_t *statement = NULL;
  if (tb_json_load_file(path, 256u << 20, &statement, err) < 0 || tb_subjects_listed(statement, subjects, err) < 0)
    return tb_error_wrap(err, "reprotest: %s", path);
  return 0;
}

/* Every subject that differs or is in one run only, sorted by name, with why. */
static json_t *compare(json_t *first, json_t *second) {
  json_t *differ = json_array();
  const char *name;
  json_t *digest;
  json_object_foreach(first, name, digest) {
    const json_t *other = json_object_get(second, name);
    if (other == NULL)
      json_array_append_new(differ, json_pack("{s:s, s:s}", "name", name, "why", "only in the first run"));
    else if (!json_equal(digest, other))
      json_array_append_new(differ, json_pack("{s:s, s:s}", "name", name, "why", "content differs"));
  }
  json_object_foreach(second, name, digest) {
    if (json_object_get(first, name) == NULL)
      json_array_append_new(differ, json_pack("{s:s, s:s}", "name", name, "why", "only in the second run"));
  }
  return differ;
}

/* The two runs into base/1 and base/2, then the comparison. */
static int reprotest(const struct tb_globals *g, char **args, int nargs, const char *base, tb_error **err) {
  cleanup_free char *cwd = getcwd(NULL, 0);
  cleanup_free char *elsewhere = xasprintf("%s/cwd", base);
  if (cwd == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "getcwd");
  if (mkdir(elsewhere, 0755) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "mkdir %s", elsewhere);
  const struct conditions runs[2] = {
      {.tz = "UTC", .lang = "C.UTF-8", .cwd = cwd, .umask = 022},
      /* UTC+13:45 as a POSIX TZ string (no tzdata needed); Turkish: the classic case-mapping trap. */
      {.tz = "TB-13:45", .lang = "tr_TR.UTF-8", .cwd = elsewhere, .umask = 077},
  };
  json_t *subjects[2] = {NULL, NULL};
  int ret = 0;
  for (int i = 0; i < 2 && ret == 0; i++) {
    cleanup_free char *out = xasprintf("%s/%d", base, i + 1);
    cleanup_strv char **argv = child_argv(g, cwd, args, nargs, out);
    tb_debug("reprotest: run %d: TZ=%s LANG=%s umask %03o in %s", i + 1, runs[i].tz, runs[i].lang,
            (unsigned)runs[i].umask, runs[i].cwd);
    int status = 0;
    if ((ret = run_child(&runs[i], argv, &status, err)) < 0)
      break;
    if (status != 0) {
      (void)tb_error_set(err, status, 0, "reprotest: run %d failed (exit status %d)", i + 1, status);
      ret = status;
      break;
    }
    ret = load_subjects(out, &subjects[i], err);
  }
  if (ret != 0 && g->json && *err != NULL) {
    tb_error *ignored = NULL; /* the run's failure is what is reported, in *err */
    (void)tb_print_json(json_pack("{s:b, s:s}", "ok", false, "error", (*err)->msg), &ignored);
    tb_error_discard(&ignored);
  }
  if (ret == 0) {
    cleanup_json json_t *differ = compare(subjects[0], subjects[1]);
    size_t n = json_object_size(subjects[0]);
    ret = json_array_size(differ) == 0 ? 0 : TB_EXIT_JOB_FAILED;
    if (ret != 0)
      (void)fprintf(stderr, "teebuild: reprotest: %zu of %zu subjects differ between the two runs\n",
                    json_array_size(differ), n);
    else
      tb_info("reprotest: %zu subjects, identical in both runs", n);
    size_t i;
    json_t *d;
    json_array_foreach(differ, i, d)
      (void)fprintf(stderr, "  %s: %s\n", json_string_value(json_object_get(d, "name")),
                    json_string_value(json_object_get(d, "why")));
    if (g->json && tb_print_json(json_pack("{s:b, s:I, s:O}", "ok", ret == 0, "subjects", (json_int_t)n, "differ",
                                           differ),
                                 err) < 0)
      ret = -EINVAL;
  }
  json_decref(subjects[0]);
  json_decref(subjects[1]);
  return ret;
}

int cmd_reprotest(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  static const struct option long_opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
  const char *keep = NULL;
  int opt;
  optind = 0;
  /* '+': everything from JOB.json, run or build on is that command's own command line. */
  while ((opt = tb_getopt(argc, argv, "reprotest", "+ho:", long_opts, err)) != -1) {
    switch (opt) {
    case 'o': keep = optarg; break;
    case 'h': (void)fputs(usage, stdout); return 0;
    default: return TB_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    tb_usage_error(err, "reprotest", "expected JOB.json, or run or build and their arguments");
    return TB_EXIT_USAGE;
  }
  char **args = argv + optind;
  int nargs = argc - optind;
  /* A bare JOB.json is `run JOB.json`. */
  cleanup_strv char **with_run = NULL;
  if (strcmp(args[0], "run") != 0 && strcmp(args[0], "build") != 0) {
    with_run = xcalloc((size_t)nargs + 2, sizeof(char *));
    with_run[0] = xstrdup("run");
    for (int i = 0; i < nargs; i++)
      with_run[i + 1] = xstrdup(args[i]);
    args = with_run;
    nargs++;
  }
  for (int i = 1; i < nargs; i++)
    if (strncmp(args[i], "-o", 2) == 0 || strncmp(args[i], "--out", 5) == 0) {
      tb_usage_error(err, "reprotest", "%s: the runs' outputs are reprotest's (-o DIR before the command keeps them)",
                     args[i]);
      return TB_EXIT_USAGE;
    }
  cleanup_free char *base = NULL;
  if (keep != NULL) {
    bool empty = true;
    if (tb_mkdir_p(keep, 0755, err) < 0 || tb_dir_is_empty(keep, &empty, err) < 0)
      return TB_EXIT_INPUT;
    if (!empty) {
      (void)tb_error_set(err, TB_EXIT_INPUT, 0, "reprotest: %s is not empty", keep);
      return TB_EXIT_INPUT;
    }
    base = realpath(keep, NULL);
    if (base == NULL)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "reprotest: %s", keep);
  } else {
    const char *tmp = getenv("TMPDIR");
    if (tb_mkdtemp_in(tmp && *tmp ? tmp : "/tmp", "teebuild-reprotest-", &base, err) < 0)
      return TB_EXIT_INPUT;
  }
  int ret = reprotest(g, args, nargs, base, err);
  if (keep == NULL) {
    tb_error *ignored = NULL; /* a temporary directory left behind is not the result */
    if (tb_rm_rf(base, &ignored) < 0)
      tb_warn("reprotest: could not remove %s", base);
    tb_error_discard(&ignored);
  }
  return ret;
}
