/* util.h: growable strings, shell quoting, small file reads, time helpers. */
#ifndef ICEUPD_UTIL_H
#define ICEUPD_UTIL_H

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

struct strbuf {
	char	*s;	/* always NUL-terminated once anything was added */
	size_t	 len;
	size_t	 cap;
};

/* Allocation failure is not recoverable here: these print and exit 1. */
void	*xmalloc(size_t);
/* Says memory ran out and exits 1, the status iceupd(1) gives a failure. */
void	 util_out_of_memory(void) __attribute__((noreturn));
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* cJSON_Print (pretty) or cJSON_PrintUnformatted of j, which runs out of
 * memory as xmalloc does; free the text with cJSON_free or
 * util_free_secret. */
char	*xjson_print(const cJSON *j, int pretty);

void	 sb_add(struct strbuf *, const char *, size_t);
void	 sb_adds(struct strbuf *, const char *);
void	 sb_addc(struct strbuf *, char);
void	 sb_addf(struct strbuf *, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
void	 sb_free(struct strbuf *);
/* sb_free after wiping the whole buffer: for text that held a secret. */
void	 sb_free_secret(struct strbuf *);

/* Appends s as one POSIX-shell word in single quotes: safe for eval. */
void	 sb_shell_quote(struct strbuf *, const char *s);
/* Appends s percent-encoded, keeping RFC 3986 unreserved bytes. */
void	 sb_percent_encode(struct strbuf *, const char *s);

/* RFC 3339 UTC time, "2026-11-22T03:26:36Z"; buf holds at least 21 bytes. */
char	*util_rfc3339(time_t, char *buf, size_t len);
/* Parses what util_rfc3339() writes; 0 ok, -1 otherwise. */
int	 util_parse_rfc3339(const char *s, time_t *out);
/* Parses any RFC 3339 time with seconds: an optional fraction (dropped),
 * then Z or an offset ([+-]HH:MM or [+-]HHMM).  0 ok, -1 otherwise. */
int	 util_parse_rfc3339_any(const char *s, time_t *out);
/* util_parse_rfc3339_any() of a UTC time only ("...Z"), as XEP-0082
 * servers send it; a time before 1970 is refused.  0 ok, -1 otherwise. */
int	 util_parse_rfc3339_frac(const char *s, time_t *out);
/* Milliseconds of a monotonic clock. */
long long util_monotonic_ms(void);
/* Sleeps ms milliseconds (none when ms <= 0), whatever signals come. */
void	 util_sleep_ms(long long ms);

/* Splits a comma list into trimmed, non-empty items; returns the count.
 * *items is one allocation to free with util_free_list(). */
size_t	 util_split_list(const char *s, char ***items);
void	 util_free_list(char **items, size_t n);

/* The candidate (n of them) closest to w by edit distance, when close
 * enough to be a misspelling of it (at most 3 edits, and at most half of
 * w's length); else NULL. */
const char *util_closest(const char *w, const char *const *cands, size_t n);

/* Parses a decimal integer in [min,max] from s; 0 ok, -1 otherwise. */
int	 util_parse_long(const char *s, long min, long max, long *out);

/* The signals watch and serve take with sigwait: SIGHUP, SIGUSR1, SIGTERM
 * and SIGINT (main blocks them before anything else). */
void	 util_taken_signals(sigset_t *set);
/* Parses a duration into milliseconds: a bare whole number counts in unit_ms
 * (1 or 1000), otherwise numbers each followed by ms, s, m, h or d ("90s",
 * "1h30m", "1.5s").  0 ok, -1 otherwise (not a duration, not whole
 * milliseconds, or beyond a century). */
int	 util_parse_duration_ms(const char *s, long long unit_ms,
	    long long *out);
/* The shortest text for ms in the largest unit that holds it whole: "5s",
 * "1500ms", "10m", "7d". */
char	*util_format_duration(long long ms, char *buf, size_t len);

/* Overwrites and frees a secret string. */
void	 util_free_secret(char *);
/* 1 when the JSON text decodes to a NUL somewhere (the escape \u0000; an
 * escaped backslash followed by "u0000" is text, not a NUL). */
int	 util_json_has_nul(const char *s, size_t len);
/* Sets key of o to the RFC 3339 form of t, or null when t is 0. */
void	 util_json_add_time(cJSON *o, const char *key, time_t t);
/* The time in key of o (RFC 3339), or 0 when missing or not one. */
time_t	 util_json_get_time(const cJSON *o, const char *key);

#endif
