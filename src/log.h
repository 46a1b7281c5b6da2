/* log.h: leveled messages on stderr, as text or JSON lines, with secrets redacted. */
#ifndef ICEUPD_LOG_H
#define ICEUPD_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_TEXT, LOG_JSON };

extern const char *const log_format_names[];	/* indexed by enum log_format */

/* verbosity: -1 (-q) errors only, 0 warnings and notices (what a daemon
 * reports of its work), 1 (-v) info, 2 (-vv) debug. */
void	 log_init(int verbosity, int format);
int	 log_enabled(enum log_level);

/* Remembers s so that no later message ever shows it. */
void	 log_secret(const char *s);
/* A URL setting with a user part or a query (either may hold a key) is a
 * secret: remembers the URL, its user part and its query.  Text that is
 * no URL is left alone. */
void	 log_url_secret(const char *s);
void	 log_forget_secrets(void);
/* Replaces every remembered secret in the string buf (of len bytes) with
 * "[redacted]", cutting what no longer fits: for text bound for a file, a
 * report or an HTTP answer rather than stderr. */
void	 log_redact(char *buf, size_t len);
/* 1 when s holds a remembered secret. */
int	 log_holds_secret(const char *s);

void	 log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/* Copies text (from a provider or a user) into buf with control and
 * non-ASCII bytes escaped as \xNN and at most max bytes of it shown. */
char	*log_escape(const char *text, size_t max, char *buf, size_t len);

#endif
