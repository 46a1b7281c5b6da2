/* util.c: growable strings, shell quoting, time helpers. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void
util_out_of_memory(void)
{
	static const char msg[] = "iceupd: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		util_out_of_memory();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		util_out_of_memory();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xjson_print(const cJSON *j, int pretty)
{
	char	*text = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);

	if (text == NULL)
		util_out_of_memory();
	return text;
}

static void
sb_grow(struct strbuf *b, size_t more)
{
	size_t	 need;

	if (more > SIZE_MAX / 2 - b->len)
		util_out_of_memory();
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void
sb_add(struct strbuf *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_adds(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void
sb_addc(struct strbuf *b, char c)
{
	sb_add(b, &c, 1);
}

void
sb_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void
sb_free_secret(struct strbuf *b)
{
	if (b->s != NULL)
		explicit_bzero(b->s, b->cap);
	sb_free(b);
}

void
sb_shell_quote(struct strbuf *b, const char *s)
{
	sb_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			sb_adds(b, "'\\''");
		else
			sb_addc(b, *s);
	}
	sb_addc(b, '\'');
}

void
sb_percent_encode(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			sb_addc(b, (char)c);
		} else {
			sb_addc(b, '%');
			sb_addc(b, hex[c >> 4]);
			sb_addc(b, hex[c & 15]);
		}
	}
}

char *
util_rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "invalid");
	return buf;
}

int
util_parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return -1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

int
util_parse_rfc3339_any(const char *s, time_t *out)
{
	char	 buf[21];
	long	 off = 0;
	size_t	 i;
	time_t	 t;

	/* "2026-12-06T20:00:00" checked by strptime, then what follows. */
	if (strlen(s) < 20 || s[19] == '\0')
		return -1;
	memcpy(buf, s, 19);
	memcpy(buf + 19, "Z", 2);
	if (util_parse_rfc3339(buf, &t) == -1)
		return -1;
	s += 19;
	if (*s == '.') {
		for (s++, i = 0; isdigit((unsigned char)s[i]); i++)
			;
		if (i == 0)
			return -1;
		s += i;
	}
	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
		*out = t;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]))
		return -1;
	i = s[3] == ':' ? 4 : 3;
	if (!isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1]) ||
	    s[i + 2] != '\0')
		return -1;
	off = ((s[1] - '0') * 10 + (s[2] - '0')) * 3600L +
	    ((s[i] - '0') * 10 + (s[i + 1] - '0')) * 60L;
	if (off > 24 * 3600L)
		return -1;
	*out = s[0] == '+' ? t - off : t + off;
	return 0;
}

int
util_parse_rfc3339_frac(const char *s, time_t *out)
{
	size_t	 n = strlen(s);

	if (n == 0 || s[n - 1] != 'Z' || util_parse_rfc3339_any(s, out) == -1)
		return -1;
	return *out < 0 ? -1 : 0;
}

long long
util_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
util_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

size_t
util_split_list(const char *s, char ***items)
{
	const char *p, *end, *b, *e;
	size_t	 n = 0, cap = 4;
	char	**v = xcalloc(cap, sizeof(*v));

	for (p = s; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		for (b = p; b < end && (*b == ' ' || *b == '\t' ||
		    *b == '\n' || *b == '\r'); b++)
			;
		for (e = end; e > b && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\n' || e[-1] == '\r'); e--)
			;
		if (e == b)
			continue;
		if (n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = xstrndup(b, (size_t)(e - b));
	}
	*items = v;
	return n;
}

void
util_free_list(char **items, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* Levenshtein distance of a and b, or max + 1 when beyond max. */
static size_t
edit_distance(const char *a, const char *b, size_t max)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, best, d[65];
	size_t	 diag, up;

	if (la > 64 || lb > 64)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		diag = d[0];
		d[0] = i;
		best = d[0];
		for (j = 1; j <= lb; j++) {
			up = d[j];
			d[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < d[j])
				d[j] = up + 1;
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			diag = up;
			if (d[j] < best)
				best = d[j];
		}
		if (best > max)
			return max + 1;
	}
	return d[lb];
}

const char *
util_closest(const char *w, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t	 i, d, bestd, max = strlen(w) / 2;

	if (max > 3)
		max = 3;
	bestd = max + 1;
	for (i = 0; i < n; i++)
		if (cands[i] != NULL &&
		    (d = edit_distance(w, cands[i], max)) < bestd) {
			bestd = d;
			best = cands[i];
		}
	return best;
}

int
util_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s) ||
	    *s == '+')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

#define DURATION_MAX_MS	(100LL * 366 * 86400 * 1000)

static const struct duration_unit {
	const char	*name;
	long long	 ms;
} duration_units[] = {	/* "ms" before "m"; largest first after it */
	{ "ms", 1 }, { "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
	{ "s", 1000 }, { NULL, 0 }
};

int
util_parse_duration_ms(const char *s, long long unit_ms, long long *out)
{
	const struct duration_unit *u;
	long long whole, frac, scale, total = 0;
	int	 digits;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	while (*s != '\0') {
		for (whole = 0, digits = 0; isdigit((unsigned char)*s); s++)
			if (++digits > 15)
				return -1;
			else
				whole = whole * 10 + (*s - '0');
		frac = 0;
		scale = 1;
		if (*s == '.') {
			for (s++, digits = 0; isdigit((unsigned char)*s); s++)
				if (++digits > 9)
					return -1;
				else {
					frac = frac * 10 + (*s - '0');
					scale *= 10;
				}
			if (digits == 0)
				return -1;
		}
		if (*s == '\0' && total == 0 && scale == 1) {
			/* A bare number: the setting's own unit. */
			if (whole > DURATION_MAX_MS / unit_ms)
				return -1;
			*out = whole * unit_ms;
			return 0;
		}
		for (u = duration_units; u->name != NULL; u++)
			if (strncmp(s, u->name, strlen(u->name)) == 0)
				break;
		if (u->name == NULL || whole > DURATION_MAX_MS / u->ms ||
		    frac * u->ms % scale != 0)
			return -1;
		s += strlen(u->name);
		total += whole * u->ms + frac * u->ms / scale;
		if (total > DURATION_MAX_MS || (*s != '\0' &&
		    !isdigit((unsigned char)*s)))
			return -1;
	}
	*out = total;
	return 0;
}

char *
util_format_duration(long long ms, char *buf, size_t len)
{
	const struct duration_unit *u;

	for (u = duration_units + 1; u->name != NULL; u++)
		if (ms != 0 && ms % u->ms == 0)
			break;
	if (u->name == NULL)
		u = ms == 0 ? &duration_units[4] : &duration_units[0];
	snprintf(buf, len, "%lld%s", ms / u->ms, u->name);
	return buf;
}

void
util_taken_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

void
util_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
util_json_has_nul(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < len &&
		    memcmp(s + i + 2, "0000", 4) == 0)
			return 1;
		i++;	/* the escaped character is not an escape */
	}
	return 0;
}

void
util_json_add_time(cJSON *o, const char *key, time_t t)
{
	char	 buf[32];

	if (t == 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key,
		    util_rfc3339(t, buf, sizeof(buf)));
}

time_t
util_json_get_time(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	time_t	 t;

	if (!cJSON_IsString(v) || util_parse_rfc3339(v->valuestring, &t) == -1)
		return 0;
	return t;
}
