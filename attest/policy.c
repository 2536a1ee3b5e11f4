/* Verification policy files (see policy.h). */
#include "attest/policy.h"

#include <string.h>
#include <strings.h>

#include "attest/eventlog.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"

static const char *const keys[] = {"tcbStatus", "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "composeHash", "osImageHash",
                                   "kmsRoot"};

static int is_string_list(const json_t *v) {
  if (!json_is_array(v))
    return 0;
  size_t i;
  const json_t *s;
  json_array_foreach(v, i, s) if (!json_is_string(s)) return 0;
  return 1;
}

int policy_parse(json_t *doc, const char *what, tb_error **err) {
  if (!json_is_object(doc))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "policy %s: not a JSON object", what);
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) {
    size_t k = 0;
    while (k < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[k]) != 0)
      k++;
    if (k == sizeof(keys) / sizeof(keys[0]))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "policy %s: unknown key \"%s\"", what, key);
    if (!is_string_list(v))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "policy %s: \"%s\" must be a list of strings", what, key);
  }
  return 0;
}

int policy_load(const char *path, json_t **policy, tb_error **err) {
  cleanup_json json_t *doc = NULL;
  int ret = tb_json_load_file(path, 1 << 20, &doc, err);
  if (ret == 0)
    ret = policy_parse(doc, path, err);
  if (ret < 0)
    return ret;
  *policy = steal_pointer(&doc);
  return 0;
}

static int listed(const json_t *list, const char *value) {
  size_t i;
  const json_t *s;
  json_array_foreach(list, i, s) if (strcasecmp(json_string_value(s), value) == 0) return 1;
  return 0;
}

int policy_check_tcb(const json_t *policy, const char *status, tb_error **err) {
  const json_t *allowed = policy ? json_object_get(policy, "tcbStatus") : NULL;
  if (allowed ? listed(allowed, status) : strcmp(status, "UpToDate") == 0)
    return 0;
  return tb_error_set(err, TB_EXIT_VERIFY, 0, POLICY_CHECK_TCB ": %s is not allowed by %s", status,
                      allowed ? "the policy" : "the default policy (UpToDate only)");
}

static int check_register(const json_t *policy, const char *key, const unsigned char mr[48], tb_error **err) {
  const json_t *allowed = json_object_get(policy, key);
  char hex[97];
  tb_hex_encode(mr, 48, hex);
  if (allowed == NULL || listed(allowed, hex))
    return 0;
  return tb_error_set(err, TB_EXIT_VERIFY, 0, POLICY_CHECK_MEASUREMENTS ": %s %s is not allowed by the policy", key, hex);
}

static int check_event(const json_t *policy, const char *key, const char *event, const json_t *events, tb_error **err) {
  const json_t *allowed = json_object_get(policy, key);
  if (allowed == NULL)
    return 0;
  const char *payload = events ? eventlog_find(events, event) : NULL;
  if (payload == NULL)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, POLICY_CHECK_MEASUREMENTS ": the policy pins %s but the event log has no %s event",
                        key, event);
  if (!listed(allowed, payload))
    return tb_error_set(err, TB_EXIT_VERIFY, 0, POLICY_CHECK_MEASUREMENTS ": %s %s is not allowed by the policy", event, payload);
  return 0;
}

int policy_check_measurements(const json_t *policy, const struct tdx_quote *q, const json_t *events, tb_error **err) {
  if (policy == NULL)
    return 0;
  static const char *const rtmr_keys[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
  int ret = check_register(policy, "mrtd", q->body.mr_td, err);
  for (int i = 0; ret == 0 && i < 4; i++)
    ret = check_register(policy, rtmr_keys[i], q->body.rtmr[i], err);
  if (ret == 0)
    ret = check_event(policy, "composeHash", "compose-hash", events, err);
  if (ret == 0)
    ret = check_event(policy, "osImageHash", "os-image-hash", events, err);
  return ret;
}

bool policy_pins_kms_root(const json_t *policy) { return policy && json_object_get(policy, "kmsRoot") != NULL; }

int policy_kms_root_listed(const json_t *policy, const char *hex) {
  const json_t *roots = policy ? json_object_get(policy, "kmsRoot") : NULL;
  return roots ? listed(roots, hex) : -1;
}
