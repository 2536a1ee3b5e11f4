/* What a dstack (or tappd) agent's Info says about the app this runs as. The values are the agent's
 * word; the quote attests the same identity through RTMR3's app-id, compose-hash, ... events. */
#ifndef TB_ATTEST_AGENT_INFO_H
#define TB_ATTEST_AGENT_INFO_H

#include <jansson.h>

#include "common/error.h"

/* The ResourceDescriptor recorded in builderDependencies: {"name": "dstack-app", "digest":
 * {"sha256": compose_hash}, "annotations": {appId, composeHash, osImageHash, instanceId, appName}}.
 * Fields that are not hex of their sizes are TB_EXIT_ATTEST. */
int tb_agent_app_descriptor(const json_t *info, json_t **descriptor, tb_error **err);
/* The app id (40 hex digits), pointing into info. */
int tb_agent_app_id(const json_t *info, const char **hex, tb_error **err);

#endif
