/* format.c: the table of formats (formats.h) and what they share: the
 * RTCIceServer array, the variable names env and dotenv need, and the
 * choice of table or json for check and providers. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "format.h"

#define FORMAT_DECL(e, name)	extern const struct format format_##name;
ICEUPD_FORMATS(FORMAT_DECL)

#define FORMAT_ENTRY(e, name)	[FMT_##e] = &format_##name,
static const struct format *const formats[] = { ICEUPD_FORMATS(FORMAT_ENTRY) };

/* The table of check and providers: they render it themselves. */
const struct format format_table = { 0, NULL };

/* RTCIceServer entries with only urls (always an array), username and
 * credential: what neko v2 accepts without panicking. */
cJSON *
format_servers_json(const struct ice_list *l)
{
	const struct ice_server *s;
	cJSON	*arr = cJSON_CreateArray(), *o, *urls;
	size_t	 i, j;

	for (i = 0; i < l->n; i++) {
		s = &l->servers[i];
		o = cJSON_CreateObject();
		urls = cJSON_AddArrayToObject(o, "urls");
		for (j = 0; j < s->nurls; j++)
			cJSON_AddItemToArray(urls,
			    cJSON_CreateString(s->urls[j]));
		if (s->username != NULL) {
			cJSON_AddStringToObject(o, "username", s->username);
			cJSON_AddStringToObject(o, "credential",
			    s->credential);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

void
format_add_json(struct strbuf *out, cJSON *j, int pretty)
{
	char	*text = xjson_print(j, pretty);

	sb_adds(out, text);
	util_free_secret(text);
	cJSON_Delete(j);
}

void
format_ice_servers(struct strbuf *out, const struct ice_list *l)
{
	format_add_json(out, format_servers_json(l), 0);
}

static int
valid_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	    *s == '_'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int
format_listing(const struct settings *s, const char *command)
{
	if (s->format == FMT_JSON || s->format == FMT_TABLE)
		return s->format == FMT_JSON;
	if (SETTING_KIND(s, format) != FROM_FLAG)
		return 0;
	log_error("%s: %s prints table or json, not %s",
	    SETTING_ORIGIN(s, format), command, format_names[s->format]);
	return -1;
}

int
format_check(enum output_format fmt, const struct format_opts *o, char *err,
    size_t errlen)
{
	char	**names, shown[64];
	size_t	 i, n;
	int	 rc = 0;

	if (formats[fmt]->render == NULL) {
		snprintf(err, errlen, "%s is a format of check and "
		    "providers only", format_names[fmt]);
		return -1;
	}
	if (!formats[fmt]->names)
		return 0;
	n = util_split_list(o->env_names ? o->env_names : "", &names);
	if (n == 0) {
		snprintf(err, errlen, "no variable name given");
		rc = -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		if (!valid_env_name(names[i])) {
			snprintf(err, errlen, "'%s' is not a valid variable "
			    "name", log_escape(names[i], 40, shown,
			    sizeof(shown)));
			rc = -1;
		}
	util_free_list(names, n);
	return rc;
}

int
format_render(struct strbuf *out, enum output_format fmt,
    const struct engine_result *r, const struct format_opts *o, char *err,
    size_t errlen)
{
	if (format_check(fmt, o, err, errlen) == -1)
		return -1;
	formats[fmt]->render(out, r, o);
	return 0;
}
