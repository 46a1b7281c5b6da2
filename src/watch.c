/* watch.c: `iceupd watch`: keep -o FILE (and the cache) fresh, refreshing
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

#include "commands.h"
#include "log.h"
#include "safefile.h"

#define OUTPUT_MAX	(1024 * 1024)

extern char **environ;

/* What the output file holds now. */
struct current {
	char	*text;		/* NULL: nothing known */
	int	 has_turn;
	time_t	 expires;
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
	    rfc3339(expires, when, sizeof(when)) : "");
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

/* One refresh.  *next gets when to try again. */
static enum outcome
cycle(struct settings *s, struct current *cur, time_t *next, long *backoff,
    int *rc)
{
	struct engine_result r;
	struct strbuf	 out = { 0 };
	time_t		 now, expires;
	char		 when[32];
	enum outcome	 o;

	*rc = fetch_render(s, &r, &out);
	now = time(NULL);
	if (*rc != EXIT_OK && *rc != EXIT_DEGRADED) {
		*next = now + *backoff;
		if (s->once)
			log_warn("refresh failed");
		else
			log_warn("refresh failed; %s%s; next try in %ld s",
			    s->output ? s->output : "the cache",
			    cur->text != NULL ? " kept" : " not written yet",
			    *backoff);
		*backoff = engine_next_backoff(*backoff);
		o = CYCLE_FAILED;
		goto out;
	}
	expires = ice_list_expires(&r.list);
	if (*rc == EXIT_DEGRADED && cur->text != NULL && cur->has_turn &&
	    (cur->expires == 0 || cur->expires > now)) {
		*next = now + *backoff;
		log_warn("the new answer has no TURN or is stale; %s kept; next "
		    "try in %ld s", s->output, *backoff);
		*backoff = engine_next_backoff(*backoff);
		o = CYCLE_KEPT;
		goto out;
	}
	*backoff = ENGINE_RETRY_FIRST;
	*next = r.stale ? now + ENGINE_RETRY_FIRST :
	    engine_next_refresh(s, &r.list, now);
	if (s->output == NULL || (cur->text != NULL &&
	    strcmp(cur->text, out.s) == 0)) {
		log_info("nothing changed; next refresh at %s",
		    rfc3339(*next, when, sizeof(when)));
		o = CYCLE_UNCHANGED;
		goto out;
	}
	if (atomic_write(s->output, out.s, out.len) == -1) {
		log_error("cannot write %s: %s; next try in %ld s", s->output,
		    atomic_write_error(errno), *backoff);
		*next = now + *backoff;
		*rc = EXIT_FAIL;
		o = CYCLE_FAILED;
		goto out;
	}
	free_secret(cur->text);
	cur->text = xstrdup(out.s);
	cur->has_turn = ice_list_has_turn(&r.list);
	cur->expires = expires;
	log_notice("wrote %s from %s%s; next refresh at %s", s->output,
	    r.list.provider, r.stale ? " (stale cache)" : "",
	    rfc3339(*next, when, sizeof(when)));
	if (s->on_change != NULL)
		on_change(s, expires);
	o = CYCLE_WROTE;
out:
	if (out.s != NULL)
		explicit_bzero(out.s, out.len);
	sb_free(&out);
	engine_result_free(&r);
	return o;
}

/* Takes the output's lock so that two watchers never fight over a file.
 * Returns the descriptor, or -1 after logging. */
static int
lock_output(const char *path)
{
	int	 fd;

	if ((fd = safe_lock(path, LOCK_EX, 0)) == -1 && errno == EWOULDBLOCK)
		log_error("another iceupd watch keeps %s fresh (%s.lock is "
		    "locked)", path, path);
	else if (fd == -1)
		log_error("cannot open %s.lock: %s", path,
		    atomic_write_error(errno));
	return fd;
}

/* Rereads the settings on SIGHUP; keeps the old ones when the new do not
 * load.  Settings that a running provider may still read are not freed. */
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
	if (!engine_abandoned())
		settings_free(s);
	*s = ns;
	log_notice("settings reloaded");
}

int
cmd_watch(struct settings *s, int argc, char **argv, char **envp)
{
	struct current	 cur = { 0 };
	struct timespec	 ts;
	sigset_t	 set;
	time_t		 next = 0, now;
	long		 backoff = ENGINE_RETRY_FIRST;
	int		 lockfd = -1, rc = EXIT_USAGE, sig, force, first = 1;
	enum outcome	 o;

	if (s->output == NULL && (s->cache == NULL || s->no_cache)) {
		log_error("watch needs -o FILE (or --cache FILE) to keep fresh");
		return EXIT_USAGE;
	}
	if (s->output != NULL && (lockfd = lock_output(s->output)) == -1)
		return EXIT_FAIL;
	if (s->output != NULL)
		safe_remove_temps_of(s->output);
	if (s->output != NULL &&
	    read_file(s->output, &cur.text, OUTPUT_MAX) == 0) {
		/* Only content equality is judged on what was there. */
		cur.has_turn = 0;
		cur.expires = 0;
	}

	/* Signals are taken synchronously, and provider threads, created
	 * later, inherit the mask. */
	taken_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	srandom((unsigned)(time(NULL) ^ getpid()));

	for (force = 0;; first = 0) {
		s->force_refresh = force || s->force_refresh;
		o = cycle(s, &cur, &next, &backoff, &rc);
		s->force_refresh = 0;
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
		for (;;) {
			now = time(NULL);
			ts.tv_sec = next > now ? next - now : 0;
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
	free_secret(cur.text);
	if (lockfd != -1)
		close(lockfd);
	return rc;
}
