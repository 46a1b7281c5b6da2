/* engine.c: ask the selected providers, pick or merge their answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "util.h"

const char *const engine_policy_names[] = { "first", "merge", NULL };

static void
known_names(char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; provider_table[i] != NULL; i++) {
		if (i > 0)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, provider_table[i]->name, len - strlen(buf) - 1);
	}
}

int
engine_select(const struct settings *s, const struct provider **sel,
    size_t *nsel)
{
	const struct provider *p;
	char	**names = NULL, why[512], known[128], shown[64];
	size_t	 i, j, n = 0;
	int	 rc = -1, state;

	*nsel = 0;
	if (s->providers == NULL) {
		for (i = 0; (p = provider_table[i]) != NULL; i++) {
			state = p->configured(s, why, sizeof(why));
			if (state == -1) {
				log_error("%s: %s", p->name, why);
				goto out;
			}
			if (state == 1)
				sel[(*nsel)++] = p;
		}
		rc = 0;
		goto out;
	}

	n = split_list(s->providers, &names);
	if (n == 0) {
		log_error("%s: the provider list is empty",
		    SETTING_ORIGIN(s, providers));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((p = provider_find(names[i])) == NULL) {
			known_names(known, sizeof(known));
			log_error("%s: unknown provider '%s' (known: %s)",
			    SETTING_ORIGIN(s, providers),
			    log_escape(names[i], 32, shown, sizeof(shown)),
			    known);
			goto out;
		}
		for (j = 0; j < *nsel; j++)
			if (sel[j] == p) {
				log_error("%s: provider '%s' is listed twice",
				    SETTING_ORIGIN(s, providers), p->name);
				goto out;
			}
		state = p->configured(s, why, sizeof(why));
		if (state != 1) {
			log_error("%s: %s%s", p->name, state == 0 ?
			    "not configured: " : "", why);
			goto out;
		}
		sel[(*nsel)++] = p;
	}
	rc = 0;
out:
	free_list(names, n);
	return rc;
}

/* Asks one provider and applies the filters.  0 with a non-empty list in l,
 * or -1 with the reason in src->error. */
static int
ask(const struct settings *s, const struct provider *p, struct ice_list *l,
    struct source_report *src)
{
	struct provider_status st;
	long long start = monotonic_ms();
	int	 rc;

	memset(&st, 0, sizeof(st));
	src->asked = 1;
	rc = p->fetch(s, l, &st);
	src->latency_ms = (long)(monotonic_ms() - start);
	if (st.warning[0] != '\0')
		log_warn("%s: %s", p->name, st.warning);
	if (rc == -1) {
		snprintf(src->error, sizeof(src->error), "%s", st.error);
		ice_list_free(l);
		return -1;
	}
	ice_list_filter(l, (enum ice_transport)s->transport, s->relay);
	if (l->n == 0) {
		snprintf(src->error, sizeof(src->error), "no server left "
		    "after %s%s%s", s->relay ? "--relay" : "",
		    s->relay && s->transport != TRANSPORT_ANY ? " and " : "",
		    s->transport != TRANSPORT_ANY ? (s->transport ==
		    TRANSPORT_TCP ? "--transport tcp" : "--transport udp") :
		    "");
		ice_list_free(l);
		return -1;
	}
	src->ok = 1;
	snprintf(l->provider, sizeof(l->provider), "%s", p->name);
	log_info("%s: %zu URL%s in %ld ms", p->name, ice_list_nurls(l),
	    ice_list_nurls(l) == 1 ? "" : "s", src->latency_ms);
	return 0;
}

int
engine_fetch(const struct settings *s, const struct provider *const *sel,
    size_t nsel, struct engine_result *r)
{
	struct ice_list	 one;
	size_t		 i, j;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < nsel && i < PROVIDERS_MAX; i++) {
		r->sources[i].name = sel[i]->name;
		if (sel[i]->turn_capable)
			r->turn_expected = 1;
	}
	r->nsources = i;

	for (i = 0; i < r->nsources; i++) {
		memset(&one, 0, sizeof(one));
		if (ask(s, sel[i], &one, &r->sources[i]) == -1)
			continue;
		if (r->list.n == 0) {
			r->list = one;
		} else {
			ice_list_merge(&r->list, &one);
			j = strlen(r->list.provider);
			snprintf(r->list.provider + j,
			    sizeof(r->list.provider) - j, "+%s", one.provider);
			ice_list_free(&one);
		}
		if (s->policy == POLICY_FIRST)
			break;
	}
	if (r->list.n == 0)
		return -1;

	ice_list_truncate(&r->list, (size_t)s->max_servers);
	r->list.fetched_at = time(NULL);
	for (i = 0; i < r->list.n; i++)
		log_secret(r->list.servers[i].credential);
	for (i = 0; i < r->nsources; i++)
		if (r->sources[i].asked && !r->sources[i].ok)
			log_warn("%s failed: %s", r->sources[i].name,
			    r->sources[i].error);
	return 0;
}

int
engine_degraded(const struct engine_result *r)
{
	return r->stale || (r->turn_expected && !ice_list_has_turn(&r->list));
}

void
engine_result_free(struct engine_result *r)
{
	ice_list_free(&r->list);
	memset(r, 0, sizeof(*r));
}
