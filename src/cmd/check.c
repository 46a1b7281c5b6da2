/* cmd/check.c: `iceupd check`: ask every selected provider, whatever the
 * policy, then probe every URL of every answer at once (a STUN binding, a
 * TURN allocation released at once) and say, provider by provider, which
 * work. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../format/format.h"
#include "../log.h"
#include "../probe/probe.h"
#include "commands.h"

/* What one provider gave, and where its results start in the probes. */
struct group {
	const struct source_report *src;
	const struct ice_list	*list;	/* empty when it failed */
	const struct probe_result *res;
	size_t			 nres;
};

static void
print_table(const struct group *g, size_t ng)
{
	char	 when[32], rtt[24];
	time_t	 expires;
	size_t	 i, k;

	for (k = 0; k < ng; k++) {
		if (k > 0)
			printf("\n");
		if (!g[k].src->ok) {
			printf("from %s: failed: %s\n", g[k].src->name,
			    g[k].src->error);
			continue;
		}
		expires = ice_list_expires(g[k].list);
		printf("from %s, %s%s\n", g[k].src->name, expires ?
		    "expires " : "expiry unknown", expires ?
		    util_rfc3339(expires, when, sizeof(when)) : "");
		printf("%-44s %-15s %7s  %s\n", "URL", "RESULT", "RTT",
		    "RELAYED / MAPPED / WHY");
		for (i = 0; i < g[k].nres; i++) {
			const struct probe_result *r = &g[k].res[i];

			if (r->rtt_ms >= 0)
				snprintf(rtt, sizeof(rtt), "%ld ms", r->rtt_ms);
			else
				snprintf(rtt, sizeof(rtt), "-");
			printf("%-44s %-15s %7s  %s\n", r->url,
			    probe_status_names[r->status], rtt,
			    r->status != PROBE_OK ? r->error :
			    r->relayed[0] ? r->relayed : r->mapped);
		}
	}
}

static cJSON *
result_json(const struct probe_result *r, const char *provider)
{
	cJSON	*e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "provider", provider);
	cJSON_AddStringToObject(e, "url", r->url);
	cJSON_AddStringToObject(e, "status", probe_status_names[r->status]);
	if (r->rtt_ms >= 0)
		cJSON_AddNumberToObject(e, "rtt_ms", (double)r->rtt_ms);
	else
		cJSON_AddNullToObject(e, "rtt_ms");
	cJSON_AddStringToObject(e, "relayed", r->relayed);
	cJSON_AddStringToObject(e, "mapped", r->mapped);
	if (r->error[0] != '\0')
		cJSON_AddStringToObject(e, "error", r->error);
	else
		cJSON_AddNullToObject(e, "error");
	return e;
}

/* {"provider": "a+b", "expires_at", "stale", "results": [every URL],
 *  "providers": [{"name", "ok", "error", "expires_at", "results"}]} */
static void
print_json(const struct group *g, size_t ng, const struct ice_list *all)
{
	cJSON	*o = cJSON_CreateObject(), *flat, *provs, *p, *arr;
	char	*text;
	size_t	 i, k;

	cJSON_AddStringToObject(o, "provider", all->provider);
	util_json_add_time(o, "expires_at", ice_list_expires(all));
	cJSON_AddBoolToObject(o, "stale", 0);
	flat = cJSON_AddArrayToObject(o, "results");
	provs = cJSON_AddArrayToObject(o, "providers");
	for (k = 0; k < ng; k++) {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "name", g[k].src->name);
		cJSON_AddBoolToObject(p, "ok", g[k].src->ok);
		if (g[k].src->ok)
			cJSON_AddNullToObject(p, "error");
		else
			cJSON_AddStringToObject(p, "error", g[k].src->error);
		util_json_add_time(p, "expires_at",
		    ice_list_expires(g[k].list));
		arr = cJSON_AddArrayToObject(p, "results");
		for (i = 0; i < g[k].nres; i++) {
			cJSON_AddItemToArray(arr, result_json(&g[k].res[i],
			    g[k].src->name));
			cJSON_AddItemToArray(flat, result_json(&g[k].res[i],
			    g[k].src->name));
		}
		cJSON_AddItemToArray(provs, p);
	}
	text = xjson_print(o, 1);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(o);
}

/* Every answer's servers side by side (borrowed, not copied), so that one
 * probe_list call probes them all under one deadline, in provider order. */
static void
side_by_side(const struct ice_list *each, size_t n, struct ice_list *all)
{
	size_t	 i, k, total = 0;

	memset(all, 0, sizeof(*all));
	for (i = 0; i < n; i++)
		total += each[i].n;
	all->servers = xcalloc(total ? total : 1, sizeof(*all->servers));
	for (i = 0; i < n; i++) {
		for (k = 0; k < each[i].n; k++)
			all->servers[all->n++] = each[i].servers[k];
		if (each[i].n > 0)
			snprintf(all->provider + strlen(all->provider),
			    sizeof(all->provider) - strlen(all->provider),
			    "%s%s", all->provider[0] ? "+" : "",
			    each[i].provider);
	}
}

/* Refused credentials of coturn name the setting that made them. */
static void
hint_credentials(const struct settings *s, const struct provider *p,
    struct probe_result *res, size_t n)
{
	size_t	 i, len;

	if (strcmp(p->name, "coturn") != 0)
		return;
	for (i = 0; i < n; i++) {
		if (res[i].status != PROBE_BAD_CREDENTIALS)
			continue;
		len = strlen(res[i].error);
		snprintf(res[i].error + len, sizeof(res[i].error) - len, "%s",
		    s->turn_secret != NULL ? "; is TURN_SHARED_SECRET "
		    "coturn's static-auth-secret?" : "; check "
		    "WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL");
	}
}

int
cmd_check(const struct settings *s)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct engine_result r;
	struct ice_list	 each[PROVIDERS_MAX], all;
	struct group	 g[PROVIDERS_MAX];
	struct probe_options o;
	struct probe_result *res = NULL;
	size_t	 nsel = 0, n = 0, i, k, at = 0, ok = 0, turn = 0, turn_ok = 0;
	size_t	 lacking = 0;
	int	 rc = EXIT_USAGE, json;

	memset(&r, 0, sizeof(r));
	memset(&all, 0, sizeof(all));
	memset(each, 0, sizeof(each));
	if ((json = format_listing(s, "check")) == -1 ||
	    engine_select(s, sel, &nsel) == -1)
		goto out;
	rc = EXIT_FAIL;
	if (nsel == 0 || engine_fetch_each(s, sel, nsel, &r, each) == -1) {
		for (i = 0; i < r.nsources; i++)
			log_error("%s: %s", r.sources[i].name,
			    r.sources[i].error);
		log_error("no ICE servers to check");
		goto out;
	}
	side_by_side(each, nsel, &all);
	o.deadline = util_monotonic_ms() + s->timeout_ms;
	o.cacert = s->cacert;
	o.insecure = s->insecure_probe;
	res = probe_list(&all, &o, &n);
	for (k = 0; k < nsel; k++) {
		size_t	 mine = ice_list_nurls(&each[k]), pturn = 0, nturn = 0;

		g[k].src = &r.sources[k];
		g[k].list = &each[k];
		g[k].res = res + at;
		g[k].nres = mine;
		for (i = at; i < at + mine; i++) {
			ok += res[i].status == PROBE_OK;
			if (strncmp(res[i].url, "turn", 4) == 0) {
				nturn++;
				pturn += res[i].status == PROBE_OK;
			}
		}
		turn += nturn;
		turn_ok += pturn;
		hint_credentials(s, sel[k], res + at, mine);
		at += mine;
		/* A TURN provider that gave no relay to probe: failed, or
		 * had none (those that failed their probe are counted). */
		if (sel[k]->turn_capable && nturn == 0) {
			lacking++;
			log_error("%s: no TURN server to check%s%s",
			    sel[k]->name, r.sources[k].ok ? "" : ": ",
			    r.sources[k].ok ? "" : r.sources[k].error);
		}
	}
	if (json)
		print_json(g, nsel, &all);
	else
		print_table(g, nsel);
	if (fflush(stdout) == EOF)
		goto out;
	if (turn_ok < turn)
		log_error("%zu of %zu TURN URL%s failed", turn - turn_ok, turn,
		    turn == 1 ? "" : "s");
	else if (ok == 0 && lacking == 0)
		log_error("no server answered");
	else if (lacking == 0)
		rc = EXIT_OK;
out:
	free(res);
	free(all.servers);	/* the servers are each[]'s */
	for (i = 0; i < nsel; i++)
		ice_list_free(&each[i]);
	engine_result_free(&r);
	return rc;
}
