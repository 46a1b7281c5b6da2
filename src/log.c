/* log.c: leveled messages on stderr, as text or JSON lines, with secrets redacted. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

const char *const log_format_names[] = { "text", "json", NULL };

static const char *const level_names[] = { "error", "warning", "notice",
	"info", "debug" };
/* Cloud Logging's severity names, for JSON lines. */
static const char *const severities[] = { "ERROR", "WARNING", "NOTICE", "INFO",
	"DEBUG" };
/* The least verbosity that shows each level. */
static const int thresholds[] = { -1, 0, 0, 1, 2 };

#define SECRET_MIN	4	/* shorter strings would redact ordinary text */

static int	  verbosity;
static int	  format = LOG_TEXT;
/* Provider threads may log while the main thread adds secrets. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char	**secrets;
static size_t	  nsecrets;

void
log_init(int v, int f)
{
	verbosity = v;
	format = f;
}

int
log_enabled(enum log_level level)
{
	return verbosity >= thresholds[level];
}

void
log_secret(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) < SECRET_MIN)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			break;
	if (i == nsecrets) {
		/* Longest first, so that a secret holding another is
		 * redacted whole. */
		secrets = xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
		for (i = nsecrets; i > 0 && strlen(secrets[i - 1]) < strlen(s);
		    i--)
			secrets[i] = secrets[i - 1];
		secrets[i] = xstrdup(s);
		nsecrets++;
	}
	pthread_mutex_unlock(&lock);
}

void
log_url_secret(const char *s)
{
	const char	*h, *at, *q;
	char		*part;
	size_t		 n;

	if (s == NULL || (h = strstr(s, "://")) == NULL)
		return;
	h += 3;
	n = strcspn(h, "/?#");
	at = memrchr(h, '@', n);
	q = strchr(h, '?');
	if (at == NULL && q == NULL)
		return;
	log_secret(s);
	if (at != NULL) {
		part = xstrndup(h, (size_t)(at - h));
		log_secret(part);
		util_free_secret(part);
	}
	if (q != NULL) {
		part = xstrndup(q + 1, strcspn(q + 1, "#"));
		log_secret(part);
		util_free_secret(part);
	}
}

void
log_forget_secrets(void)
{
	size_t	 i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets; i++)
		util_free_secret(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	pthread_mutex_unlock(&lock);
}

char *
log_escape(const char *text, size_t max, char *buf, size_t len)
{
	size_t	 o = 0, i;
	unsigned char c;

	if (len == 0)
		return buf;
	for (i = 0; text[i] != '\0' && o + 5 < len; i++) {
		if (i == max) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		c = (unsigned char)text[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* Replaces every remembered secret in b with "[redacted]". */
static void
redact(struct strbuf *b)
{
	struct strbuf out;
	const char *p, *hit;
	size_t	 i;

	for (i = 0; i < nsecrets; i++) {
		if (strstr(b->s, secrets[i]) == NULL)
			continue;
		memset(&out, 0, sizeof(out));
		for (p = b->s; (hit = strstr(p, secrets[i])) != NULL;
		    p = hit + strlen(secrets[i])) {
			sb_add(&out, p, (size_t)(hit - p));
			sb_adds(&out, "[redacted]");
		}
		sb_adds(&out, p);
		sb_free_secret(b);
		*b = out;
	}
}

void
log_redact(char *buf, size_t len)
{
	struct strbuf b = { 0 };

	if (len == 0)
		return;
	sb_adds(&b, buf);
	pthread_mutex_lock(&lock);
	redact(&b);
	pthread_mutex_unlock(&lock);
	snprintf(buf, len, "%s", b.s);
	sb_free_secret(&b);
}

int
log_holds_secret(const char *s)
{
	size_t	 i;
	int	 found = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nsecrets && !found; i++)
		found = strstr(s, secrets[i]) != NULL;
	pthread_mutex_unlock(&lock);
	return found;
}

static void
json_string(struct strbuf *o, const char *s)
{
	unsigned char c;

	sb_addc(o, '"');
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sb_addc(o, '\\');
			sb_addc(o, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			sb_addf(o, "\\u%04x", c);
		} else
			sb_addc(o, (char)c);
	}
	sb_addc(o, '"');
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	struct strbuf msg = { 0 }, line = { 0 };
	char	 when[32];
	va_list	 ap;
	int	 n;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg.s = xmalloc((size_t)n + 1);
	msg.cap = (size_t)n + 1;
	va_start(ap, fmt);
	vsnprintf(msg.s, msg.cap, fmt, ap);
	va_end(ap);
	msg.len = (size_t)n;
	pthread_mutex_lock(&lock);
	redact(&msg);
	pthread_mutex_unlock(&lock);

	if (format == LOG_JSON) {
		sb_adds(&line, "{\"severity\":\"");
		sb_adds(&line, severities[level]);
		sb_adds(&line, "\",\"time\":\"");
		sb_adds(&line, util_rfc3339(time(NULL), when, sizeof(when)));
		sb_adds(&line, "\",\"message\":");
		json_string(&line, msg.s);
		sb_adds(&line, "}\n");
	} else {
		sb_adds(&line, "iceupd: ");
		if (level != LOG_INFO && level != LOG_NOTICE)
			sb_addf(&line, "%s: ", level_names[level]);
		/* One message, one line: newlines from provider text are folded. */
		for (char *p = msg.s; *p != '\0'; p++)
			sb_addc(&line, *p == '\n' ? ' ' : *p);
		sb_addc(&line, '\n');
	}
	(void)!write(STDERR_FILENO, line.s, line.len);
	sb_free_secret(&msg);
	sb_free(&line);
}
