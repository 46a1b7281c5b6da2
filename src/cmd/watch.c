/* cmd/watch.c: `iceupd watch`: keep -o FILE (and the cache) fresh, refreshing
 * at refresh_at percent of the credentials' lifetime. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../log.h"
#include "../outstate.h"
#include "../refresh.h"
#include "../safefile.h"
#include "commands.h"

#define OUTPUT_MAX	(1024 * 1024)

extern char **environ;

/* What the output file holds now. */
struct current {
	char		*text;		/* NULL: nothing known */
	struct refresh_held held;	/* only content equality is judged
					 * on what was there at start */
	int		 lockfd;	/* holds the record of what was
					 * written (outstate.h); -1: none */
};

enum outcome { CYCLE_WROTE, CYCLE_UNCHANGED, CYCLE_KEPT, CYCLE_FAILED };

/* Runs the --on-change command through sh -c, with the output path and the
 * expiry in its environment (never the credentials in its argv), and waits
 * for it. */
static void
on_change(const struct settings *s, time_t expires)
{
	posix_spawnattr_t attr;
	sigset_t	 none, dfl;
	struct strbuf	 out = { 0 }, exp = { 0 };
	char		 when[32];
	char		*argv[] = { "sh", "-c", s->on_change, NULL };
	char		**env;
	size_t		 n, i;
	pid_t		 pid;
	int		 status, err;

	for (n = 0; environ[n] != NULL; n++)
		;
	env = xcalloc(n + 3, sizeof(*env));
	/* Variables holding a secret (TURN_SHARED_SECRET=...) stay here. */
	for (i = n = 0; environ[i] != NULL; i++)
		if (strchr(environ[i], '=') == NULL ||
		    !log_holds_secret(strchr(environ[i], '=') + 1))
			env[n++] = environ[i];
	sb_addf(&out, "ICEUPD_OUTPUT=%s", s->output ? s->output : "");
	sb_addf(&exp, "ICEUPD_EXPIRES_AT=%s", expires ?
	    util_rfc3339(expires, when, sizeof(when)) : "");
	env[n] = out.s;
	env[n + 1] = exp.s;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	err = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	if (err != 0)
		log_warn("--on-change: cannot run /bin/sh: %s", strerror(err));
	else {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			log_warn("--on-change command failed (%s %d)",
			    WIFEXITED(status) ? "exit" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) :
			    WTERMSIG(status));
	}
	free(env);
	sb_free(&out);
	sb_free(&exp);
}

/* Records in the lock file what the output now holds (text, from r), so that
 * the next run finds when it expires; r NULL: a degraded list, nothing worth
 * keeping. */
static void
remember(const struct settings *s, struct current *cur, const char *text,
    const struct engine_result *r)
{
	struct outstate st;

	if (cur->lockfd == -1)
		return;
	if (r != NULL)
		outstate_make(&st, s, text, &r->list);
	if (outstate_write(cur->lockfd, r != NULL ? &st : NULL) == -1)
		log_info("%s.lock: cannot record what %s holds: %s",
		    s->output, s->output, strerror(errno));
}

/* 1 when the output holds, by its record, what these settings make and is
 * still fresh: the run that starts leaves it alone until t->next.  held
 * learns what is there. */
static int
still_fresh(const struct settings *s, struct current *cur,
    struct refresh_timer *t)
{
	struct outstate st;
	time_t	 now = time(NULL);
	char	 when[32], next[32];

	if (cur->lockfd == -1 || cur->text == NULL || s->force_refresh ||
	    outstate_read(cur->lockfd, &st) == -1 ||
	    !outstate_matches(&st, s, cur->text) ||
	    !engine_fresh(s, st.fetched_at, st.expires, now))
		return 0;
	t->next = engine_fresh_until(s, st.fetched_at, st.expires);
	if (t->next < now + ENGINE_RETRY_FIRST)
		t->next = now + ENGINE_RETRY_FIRST;
	t->backoff = ENGINE_RETRY_FIRST;
	cur->held.present = 1;
	cur->held.has_turn = st.has_turn;
	cur->held.expires = st.expires;
	if (s->once)
		log_notice("%s already holds these credentials%s%s: nothing "
		    "to do", s->output, st.expires ? ", valid until " : "",
		    st.expires ? util_rfc3339(st.expires, when, sizeof(when)) :
		    "");
	else
		log_info("%s already holds these credentials%s%s; next "
		    "refresh at %s", s->output, st.expires ? ", valid until " :
		    "", st.expires ? util_rfc3339(st.expires, when,
		    sizeof(when)) : "", util_rfc3339(t->next, next,
		    sizeof(next)));
	return 1;
}

/* One refresh as ask says.  t gets when to try again. */
static enum outcome
cycle(const struct settings *s, enum engine_ask ask, struct current *cur,
    struct refresh_timer *t, int *rc)
{
	struct refresh_opts o = { ask, s->format };
	struct engine_result r;
	struct strbuf	 out = { 0 };
	time_t		 now, expires;
	char		 when[32];
	long		 wait;
	enum outcome	 oc;

	*rc = refresh_once(s, &o, &r, &out);
	now = time(NULL);
	if (*rc != EXIT_OK && *rc != EXIT_DEGRADED) {
		wait = refresh_schedule(t, s, NULL, now);
		if (s->once)
			log_warn("refresh failed");
		else
			log_warn("refresh failed; %s%s; next try in %ld s",
			    s->output ? s->output : "the cache",
			    cur->text != NULL ? " kept" : " not written yet",
			    wait);
		oc = CYCLE_FAILED;
		goto out;
	}
	expires = ice_list_expires(&r.list);
	if (cur->text != NULL && refresh_keeps(*rc, &cur->held, now)) {
		wait = refresh_schedule(t, s, NULL, now);
		log_warn("the new answer has no TURN or is stale; %s kept; "
		    "next try in %ld s", s->output, wait);
		oc = CYCLE_KEPT;
		goto out;
	}
	(void)refresh_schedule(t, s, &r, now);
	if (s->output == NULL || (cur->text != NULL &&
	    strcmp(cur->text, out.s) == 0)) {
		if (*rc == EXIT_OK)
			remember(s, cur, out.s, &r);
		if (s->once)
			log_notice("%s already holds these credentials%s%s: "
			    "nothing to do", s->output ? s->output :
			    "the cache", expires ? ", valid until " : "",
			    expires ?
			    util_rfc3339(expires, when, sizeof(when)) : "");
		else
			log_info("nothing changed; next refresh at %s",
			    util_rfc3339(t->next, when, sizeof(when)));
		oc = CYCLE_UNCHANGED;
		goto out;
	}
	if (safe_atomic_write(s->output, out.s, out.len) == -1) {
		log_error("cannot write %s: %s; next try in %ld s", s->output,
		    safe_strerror(errno), t->backoff);
		t->next = now + t->backoff;
		*rc = EXIT_FAIL;
		oc = CYCLE_FAILED;
		goto out;
	}
	remember(s, cur, out.s, *rc == EXIT_OK ? &r : NULL);
	util_free_secret(cur->text);
	cur->text = xstrdup(out.s);
	cur->held.present = 1;
	cur->held.has_turn = ice_list_has_turn(&r.list);
	cur->held.expires = expires;
	log_notice("wrote %s from %s%s; next refresh at %s", s->output,
	    r.list.provider, r.stale ? " (stale cache)" : "",
	    util_rfc3339(t->next, when, sizeof(when)));
	if (s->on_change != NULL)
		on_change(s, expires);
	oc = CYCLE_WROTE;
out:
	sb_free_secret(&out);
	engine_result_free(&r);
	return oc;
}

/* Takes the output's lock so that two watchers never fight over a file.
 * Returns the descriptor, or -1 after logging. */
static int
lock_output(const char *path)
{
	const char *slash;
	int	 fd;

	if ((fd = safe_lock(path, LOCK_EX, 0)) == -1 && errno == EWOULDBLOCK)
		log_error("another iceupd watch keeps %s fresh (%s.lock is "
		    "locked)", path, path);
	else if (fd == -1 && errno == ENOENT &&
	    (slash = strrchr(path, '/')) != NULL)
		log_error("cannot write %s: no folder %.*s", path,
		    slash == path ? 1 : (int)(slash - path), path);
	else if (fd == -1)
		log_error("cannot write %s: cannot create %s.lock: %s", path,
		    path, safe_strerror(errno));
	return fd;
}

/* Rereads the settings on SIGHUP; keeps the old ones when the new do not
 * load. */
static void
reload(struct settings *s, int argc, char **argv, char **envp)
{
	struct settings	 ns;

	if (settings_load(&ns, argc, argv, envp) == -1) {
		log_error("settings not reloaded; keeping the old ones");
		settings_free(&ns);
		return;
	}
	if (ns.output == NULL || s->output == NULL ||
	    strcmp(ns.output, s->output) != 0) {
		log_error("settings not reloaded: the output file cannot "
		    "change while watching");
		settings_free(&ns);
		return;
	}
	settings_free(s);
	*s = ns;
	log_notice("settings reloaded");
}

int
cmd_watch(struct settings *s, int argc, char **argv, char **envp)
{
	struct current	 cur = { 0 };
	struct refresh_timer timer = { 0, 0 };
	struct timespec	 ts;
	sigset_t	 set;
	time_t		 now;
	int		 lockfd = -1, rc = EXIT_USAGE, sig, force = 0, first = 1;
	enum outcome	 o;

	cur.lockfd = -1;
	if (s->output != NULL && strcmp(s->output, "-") == 0) {
		log_error("watch keeps a file fresh: -o - (standard output) "
		    "cannot be; give -o FILE");
		return EXIT_USAGE;
	}
	/* An ICEUPD_CACHE meant for other runs does not make a watcher that
	 * writes no file: only --cache on the command line does. */
	if (s->output == NULL && (s->cache == NULL || s->no_cache ||
	    SETTING_KIND(s, cache) != FROM_FLAG)) {
		log_error("watch needs -o FILE to keep fresh (or --cache FILE "
		    "on its command line to keep only the cache fresh)");
		return EXIT_USAGE;
	}
	if (s->output != NULL && (lockfd = lock_output(s->output)) == -1)
		return EXIT_FAIL;
	cur.lockfd = lockfd;
	if (s->output != NULL)
		safe_remove_temps_of(s->output);
	if (s->output != NULL)
		(void)safe_read_file(s->output, &cur.text, OUTPUT_MAX);

	refresh_take_signals(&set);
	if (still_fresh(s, &cur, &timer)) {
		rc = EXIT_UNCHANGED;
		if (s->once)
			goto out;
		first = 0;
		goto wait;	/* the first refresh is the scheduled one */
	}
	for (;; first = 0) {
		/* --force-refresh forces the first refresh only. */
		o = cycle(s, first ? refresh_ask(s, 0) : force ? ASK_ALL :
		    ASK_CACHED, &cur, &timer, &rc);
		force = 0;
		if (first && rc == EXIT_USAGE)
			goto out;
		if (s->once) {
			/* Nothing to do, unless what is there lacks TURN. */
			if (o == CYCLE_UNCHANGED && rc != EXIT_DEGRADED)
				rc = EXIT_UNCHANGED;
			else if (o == CYCLE_KEPT)
				rc = EXIT_DEGRADED;
			goto out;
		}
wait:
		for (;;) {
			now = time(NULL);
			ts.tv_sec = timer.next > now ? timer.next - now : 0;
			ts.tv_nsec = 0;
			sig = sigtimedwait(&set, NULL, &ts);
			if (sig == -1 && errno == EINTR)
				continue;
			if (sig == -1)
				break;		/* time to refresh */
			if (sig == SIGTERM || sig == SIGINT) {
				log_info("exiting on signal %d", sig);
				rc = EXIT_OK;
				goto out;
			}
			if (sig == SIGHUP)
				reload(s, argc, argv, envp);
			force = 1;
			break;
		}
	}
out:
	util_free_secret(cur.text);
	if (lockfd != -1)
		close(lockfd);
	return rc;
}
