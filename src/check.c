/* check.c: `iceupd check`: fetch as usual, then probe every URL (a STUN
 * binding, a TURN allocation released at once) and say which work. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "format.h"
#include "log.h"
#include "probe.h"

static void
print_table(const struct engine_result *r, const struct probe_result *res,
    size_t n)
{
	char	 when[32], rtt[24];
	time_t	 expires = ice_list_expires(&r->list);
	size_t	 i;

	printf("from %s%s, %s%s\n", r->list.provider, r->stale ? " (stale)" :
	    r->from_cache ? " (cache)" : "", expires ? "expires " :
	    "expiry unknown", expires ? rfc3339(expires, when, sizeof(when)) :
	    "");
	printf("%-44s %-15s %7s  %s\n", "URL", "RESULT", "RTT",
	    "RELAYED / MAPPED / WHY");
	for (i = 0; i < n; i++) {
		if (res[i].rtt_ms >= 0)
			snprintf(rtt, sizeof(rtt), "%ld ms", res[i].rtt_ms);
		else
			snprintf(rtt, sizeof(rtt), "-");
		printf("%-44s %-15s %7s  %s\n", res[i].url,
		    probe_status_names[res[i].status], rtt,
		    res[i].status != PROBE_OK ? res[i].error :
		    res[i].relayed[0] ? res[i].relayed : res[i].mapped);
	}
}

static void
print_json(const struct engine_result *r, const struct probe_result *res,
    size_t n)
{
	cJSON	*o = cJSON_CreateObject(), *arr, *e;
	char	*text, when[32];
	time_t	 expires = ice_list_expires(&r->list);
	size_t	 i;

	cJSON_AddStringToObject(o, "provider", r->list.provider);
	if (expires)
		cJSON_AddStringToObject(o, "expires_at",
		    rfc3339(expires, when, sizeof(when)));
	else
		cJSON_AddNullToObject(o, "expires_at");
	cJSON_AddBoolToObject(o, "stale", r->stale);
	arr = cJSON_AddArrayToObject(o, "results");
	for (i = 0; i < n; i++) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "url", res[i].url);
		cJSON_AddStringToObject(e, "status",
		    probe_status_names[res[i].status]);
		if (res[i].rtt_ms >= 0)
			cJSON_AddNumberToObject(e, "rtt_ms",
			    (double)res[i].rtt_ms);
		else
			cJSON_AddNullToObject(e, "rtt_ms");
		cJSON_AddStringToObject(e, "relayed", res[i].relayed);
		cJSON_AddStringToObject(e, "mapped", res[i].mapped);
		cJSON_AddStringToObject(e, "error", res[i].error);
		cJSON_AddItemToArray(arr, e);
	}
	if ((text = cJSON_Print(o)) != NULL)
		printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(o);
}

int
cmd_check(const struct settings *s)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct engine_result r;
	struct probe_options o;
	struct probe_result *res = NULL;
	size_t	 nsel, n = 0, i, ok = 0, turn = 0, turn_ok = 0;
	int	 rc = EXIT_USAGE;

	memset(&r, 0, sizeof(r));
	if (engine_select(s, sel, &nsel) == -1)
		goto out;
	rc = EXIT_FAIL;
	if (nsel == 0 || engine_get(s, sel, nsel, &r) == -1) {
		log_error("no ICE servers to check");
		goto out;
	}
	o.deadline = monotonic_ms() + s->timeout_ms;
	o.cacert = s->cacert;
	o.insecure = s->insecure_probe;
	res = probe_list(&r.list, &o, &n);
	for (i = 0; i < n; i++) {
		ok += res[i].status == PROBE_OK;
		if (strncmp(res[i].url, "turn", 4) == 0) {
			turn++;
			turn_ok += res[i].status == PROBE_OK;
		}
	}
	if (s->format == FMT_JSON)
		print_json(&r, res, n);
	else
		print_table(&r, res, n);
	if (fflush(stdout) == EOF)
		goto out;
	if (turn == 0 && r.turn_expected)
		log_error("no TURN server to check although a TURN provider "
		    "is configured");
	else if (turn_ok < turn)
		log_error("%zu of %zu TURN URL%s failed", turn - turn_ok, turn,
		    turn == 1 ? "" : "s");
	else if (ok == 0)
		log_error("no server answered");
	else
		rc = EXIT_OK;
out:
	free(res);
	engine_result_free(&r);
	return rc;
}
