/* values.c: a setting's text to its value, the same for every layer:
 * yes/no, whole numbers (a percentage may say "%"), durations with units,
 * choices, lists (a repeated flag adds), strings and secrets; a bad one is
 * reported with where it came from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../log.h"
#include "../util.h"
#include "parts.h"
#include "table.h"

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t	 i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Parses a duration of setting t into its unit; 0 ok, -1 otherwise. */
static int
parse_time(const struct setting *t, const char *v, long *out)
{
	long long unit = t->kind == K_MSEC ? 1 : 1000, ms;

	if (util_parse_duration_ms(v, unit, &ms) == -1 || ms % unit != 0 ||
	    ms < t->min * unit || ms > t->max * unit)
		return -1;
	*out = (long)(ms / unit);
	return 0;
}

/* "100ms to 10m (a bare number is milliseconds)": for errors and help. */
static const char *
time_range(const struct setting *t, char *buf, size_t len)
{
	long long unit = t->kind == K_MSEC ? 1 : 1000;
	char	 lo[32], hi[32];

	snprintf(buf, len, "%s to %s (units ms, s, m, h, d; a bare number is "
	    "%s)", util_format_duration(t->min * unit, lo, sizeof(lo)),
	    util_format_duration(t->max * unit, hi, sizeof(hi)),
	    unit == 1 ? "milliseconds" : "seconds");
	return buf;
}

int
settings_apply(struct settings *s, size_t i, const char *v, enum origin_kind kind,
    const char *origin)
{
	const struct setting *t = &settings_table[i];
	char	 shown[128], choices[128], pct[32];
	char	**str;
	long	 n;
	int	 b;
	size_t	 c, len;

	/* An empty value (VAR= in an env file) means the built-in default,
	 * as if it were not set at all. */
	if (*v == '\0' && t->defval != NULL) {
		v = t->defval;
		kind = FROM_DEFAULT;
	}
	else if (*v == '\0' && t->kind != K_STR && t->kind != K_SECRET &&
	    t->kind != K_LIST) {
		if (KIND_IS_LONG(t->kind))
			*(long *)((char *)s + t->off) = 0;
		else
			*(int *)((char *)s + t->off) = 0;
		goto done;
	}
	if (t->kind == K_SECRET)
		snprintf(shown, sizeof(shown), "(value hidden)");
	else {
		shown[0] = '\'';
		log_escape(v, 80, shown + 1, sizeof(shown) - 2);
		strcat(shown, "'");
	}
	switch (t->kind) {
	case K_LIST:
		str = (char **)((char *)s + t->off);
		if (kind == FROM_FLAG && s->origin_kind[i] == FROM_FLAG &&
		    *str != NULL && *v != '\0') {
			struct strbuf joined = { 0 };

			sb_addf(&joined, "%s,%s", *str, v);
			free(*str);
			*str = joined.s;
			break;
		}
		/* FALLTHROUGH */
	case K_STR:
	case K_SECRET:
		str = (char **)((char *)s + t->off);
		if (t->kind == K_SECRET) {
			util_free_secret(*str);
			log_secret(v);
		} else {
			free(*str);
			log_url_secret(v);
		}
		*str = *v == '\0' ? NULL : xstrdup(v);
		break;
	case K_LONG:
		/* A percentage may say so: "80%". */
		if (t->arg != NULL && strcmp(t->arg, "PERCENT") == 0 &&
		    (len = strlen(v)) > 1 && v[len - 1] == '%' &&
		    len < sizeof(pct)) {
			memcpy(pct, v, len - 1);
			pct[len - 1] = '\0';
			v = pct;
		}
		if (util_parse_long(v, t->min, t->max, &n) == -1) {
			log_error("%s: %s is not a whole number from %ld to "
			    "%ld", origin, shown, t->min, t->max);
			return -1;
		}
		*(long *)((char *)s + t->off) = n;
		break;
	case K_MSEC:
	case K_SECONDS:
		if (parse_time(t, v, &n) == -1) {
			log_error("%s: %s is not a duration from %s", origin,
			    shown, time_range(t, choices, sizeof(choices)));
			return -1;
		}
		*(long *)((char *)s + t->off) = n;
		break;
	case K_BOOL:
		if (parse_bool(v, &b) == -1) {
			log_error("%s: %s is not a yes/no value (true, false, "
			    "1, 0)", origin, shown);
			return -1;
		}
		*(int *)((char *)s + t->off) = b;
		break;
	case K_CHOICE:
		choices[0] = '\0';
		for (c = 0; t->choices[c] != NULL; c++) {
			if (strcasecmp(v, t->choices[c]) == 0)
				break;
			if (c > 0)
				strcat(choices, ", ");
			strncat(choices, t->choices[c],
			    sizeof(choices) - strlen(choices) - 3);
		}
		if (t->choices[c] == NULL) {
			log_error("%s: %s is not one of: %s", origin, shown,
			    choices);
			return -1;
		}
		*(int *)((char *)s + t->off) = (int)c;
		break;
	}
done:
	free(s->origin[i]);
	s->origin[i] = xstrdup(origin);
	s->origin_kind[i] = kind;
	return 0;
}
