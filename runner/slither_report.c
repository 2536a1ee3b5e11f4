/* Slither's JSON report: {"success": bool, "error": str|null, "results": {"detectors": [...]}}. */
#include "runner/slither_report.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#define SLITHER_REPORT_MAX_BYTES (256u << 20)

/* Slither's spelling of each impact, and ours (lowercase, as --fail-on takes them). */
static const struct {
  const char *slither;
  const char *name;
} IMPACTS[SLITHER_N_IMPACTS] = {
    [SLITHER_HIGH] = {"High", "high"},
    [SLITHER_MEDIUM] = {"Medium", "medium"},
    [SLITHER_LOW] = {"Low", "low"},
    [SLITHER_INFORMATIONAL] = {"Informational", "informational"},
    [SLITHER_OPTIMIZATION] = {"Optimization", "optimization"},
};

int slither_fail_level_parse(const char *text, int *level) {
  if (strcmp(text, "none") == 0) {
    *level = SLITHER_FAIL_NONE;
    return 0;
  }
  for (int i = SLITHER_HIGH; i <= SLITHER_INFORMATIONAL; i++) {
    if (strcmp(text, IMPACTS[i].name) == 0) {
      *level = i == SLITHER_INFORMATIONAL ? SLITHER_OPTIMIZATION : i;
      return 0;
    }
  }
  return -1;
}

static int count_finding(const json_t *finding, struct slither_counts *counts, tb_error **err) {
  const char *impact = json_string_value(json_object_get(finding, "impact"));
  for (int i = 0; impact && i < SLITHER_N_IMPACTS; i++) {
    if (strcmp(impact, IMPACTS[i].slither) == 0) {
      counts->by_impact[i]++;
      counts->total++;
      return 0;
    }
  }
  return tb_error_set(err, TB_EXIT_INPUT, 0, "finding \"%s\" has an unknown impact \"%s\"",
                      json_string_value(json_object_get(finding, "check")), impact ? impact : "(none)");
}

int slither_report_read(const char *path, struct slither_counts *counts, char **slither_error, tb_error **err) {
  cleanup_json json_t *report = NULL;
  int ret = tb_json_load_file(path, SLITHER_REPORT_MAX_BYTES, &report, err);
  if (ret < 0)
    return ret;
  json_t *success = json_object_get(report, "success");
  if (!json_is_boolean(success))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not a Slither report (no \"success\")", path);
  if (json_is_false(success)) {
    const char *msg = json_string_value(json_object_get(report, "error"));
    *slither_error = xstrdup(msg ? msg : "Slither reported failure without a message");
    return 1;
  }
  *counts = (struct slither_counts){0};
  size_t i;
  json_t *finding;
  json_array_foreach(json_object_get(json_object_get(report, "results"), "detectors"), i, finding) {
    if (count_finding(finding, counts, err) < 0)
      return tb_error_wrap(err, "%s", path);
  }
  return 0;
}

size_t slither_failing(const struct slither_counts *counts, int level) {
  size_t n = 0;
  for (int i = SLITHER_HIGH; i <= level; i++)
    n += counts->by_impact[i];
  return n;
}

json_t *slither_counts_json(const struct slither_counts *counts) {
  json_t *obj = json_object();
  for (int i = 0; i < SLITHER_N_IMPACTS; i++)
    json_object_set_new(obj, IMPACTS[i].name, json_integer((json_int_t)counts->by_impact[i]));
  return obj;
}
