#include "attest/agent_info.h"

#include <string.h>

#include "attest/key_chain.h"
#include "common/hash.h"

/* Info's identity fields are hex of fixed sizes; anything else is a broken agent. */
static int info_hex(const json_t *info, const char *key, size_t len, const char **out, tb_error **err) {
  const char *hex = json_string_value(json_object_get(info, key));
  unsigned char buf[32];
  if (hex == NULL || strlen(hex) != 2 * len || len > sizeof(buf) || tb_hex_decode(hex, buf, len) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent Info: \"%s\" is not %zu bytes of hex", key, len);
  *out = hex;
  return 0;
}

int tb_agent_app_id(const json_t *info, const char **hex, tb_error **err) {
  return info_hex(info, "app_id", TB_APP_ID_LEN, hex, err);
}

int tb_agent_app_descriptor(const json_t *info, json_t **descriptor, tb_error **err) {
  const char *app_id = NULL, *instance_id = NULL, *compose_hash = NULL, *os_image_hash = NULL;
  int ret = tb_agent_app_id(info, &app_id, err);
  if (ret < 0 || (ret = info_hex(info, "instance_id", TB_APP_ID_LEN, &instance_id, err)) < 0 ||
      (ret = info_hex(info, "compose_hash", TB_SHA256_LEN, &compose_hash, err)) < 0 ||
      (ret = info_hex(info, "os_image_hash", TB_SHA256_LEN, &os_image_hash, err)) < 0)
    return ret;
  const char *name = json_string_value(json_object_get(info, "app_name"));
  *descriptor = json_pack("{s:s, s:{s:s}, s:{s:s, s:s, s:s, s:s, s:s}}", "name", "dstack-app", "digest", "sha256",
                          compose_hash, "annotations", "appId", app_id, "composeHash", compose_hash, "osImageHash",
                          os_image_hash, "instanceId", instance_id, "appName", name ? name : "");
  return 0;
}
