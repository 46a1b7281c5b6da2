/* unit.c: runs every iceupd unit suite; exits non-zero when a check failed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/ice.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

/* SUITE(NAME) for every tests/unit/test_NAME.c. */
#define SUITE(name)	Suite *name##_suite(void);
#include "../../build/gen/unit_suites.h"
#undef SUITE

static Suite *(*const suites[])(void) = {
#define SUITE(name)	name##_suite,
#include "../../build/gen/unit_suites.h"
#undef SUITE
};

#define WORDS_MAX	32	/* of unit_settings() */

static int	 saved_stderr = -1;
static int	 capture_fd = -1;

static void
die(const char *what)
{
	fprintf(stderr, "unit: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *
read_fd(int fd, size_t *len)
{
	char	*buf = NULL;
	size_t	 n = 0, cap = 0;
	ssize_t	 got;

	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((buf = realloc(buf, cap)) == NULL)
				die("realloc");
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die("read");
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

char *
unit_sh(const char *script, size_t *len, int *status)
{
	char	*out;
	int	 fds[2], st;
	pid_t	 pid;

	if (pipe(fds) == -1)
		die("pipe");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(126);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = read_fd(fds[0], len);
	close(fds[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			die("waitpid");
	if (status != NULL)
		*status = st;
	return out;
}

char *
unit_tmpfile(const char *content, size_t len, int mode)
{
	char	*path = strdup("/tmp/iceupd-unit.XXXXXX");
	int	 fd;

	if (path == NULL)
		die("strdup");
	if ((fd = mkstemp(path)) == -1)
		die("mkstemp");
	if (len > 0 && write(fd, content, len) != (ssize_t)len)
		die("write");
	if (fchmod(fd, (mode_t)mode) == -1)
		die("fchmod");
	close(fd);
	return path;
}

long long
unit_time_bound(long long ms)
{
	const char *slow = getenv("ICEUPD_TEST_SLOW");

	return slow != NULL && *slow != '\0' ? ms * 20 : ms;
}

char *
unit_tmpdir(void)
{
	char	*d = strdup("/tmp/iceupd-unit-dir.XXXXXX");

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

char *
unit_dir_names(const char *d)
{
	struct strbuf	 b = { 0 };
	struct dirent	*e;
	DIR		*dp = opendir(d);

	ck_assert_ptr_nonnull(dp);
	sb_adds(&b, "");
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (b.len > 0)
			sb_addc(&b, '/');
		sb_adds(&b, e->d_name);
	}
	closedir(dp);
	return b.s;
}

void
unit_rmdir(char *d)
{
	char	*names = unit_dir_names(d), *p, *slash;
	char	 path[PATH_MAX];

	for (p = names; *p != '\0'; p = slash ? slash + 1 : p + strlen(p)) {
		if ((slash = strchr(p, '/')) != NULL)
			*slash = '\0';
		snprintf(path, sizeof(path), "%s/%s", d, p);
		if (unlink(path) == -1)
			rmdir(path);
	}
	free(names);
	ck_assert_int_eq(rmdir(d), 0);
	free(d);
}

TCase *
unit_tcase(Suite *s, const char *name, const TTest *const *tests)
{
	TCase	*tc = tcase_create(name);

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	unit_add_tests(tc, tests);
	suite_add_tcase(s, tc);
	return tc;
}

void
unit_add_tests(TCase *tc, const TTest *const *tests)
{
	for (; tests != NULL && *tests != NULL; tests++)
		tcase_add_test(tc, *tests);
}

Suite *
unit_suite(const char *name, const char *tcase, const TTest *const *tests)
{
	Suite	*s = suite_create(name);

	unit_tcase(s, tcase, tests);
	return s;
}

int
unit_settings_load(struct settings *s, const char *config,
    const char *const *args, const char *const *env)
{
	char	*argv[WORDS_MAX + 2], *copies[WORDS_MAX + 2];
	char	*envp[WORDS_MAX + 2];
	char	*empty = NULL, *config_var;
	size_t	 i, n = 0;
	int	 argc = 0, rc;

	copies[argc] = argv[argc] = xstrdup("iceupd");
	argc++;
	for (i = 0; args != NULL && args[i] != NULL; i++) {
		ck_assert_int_lt(argc, WORDS_MAX);
		copies[argc] = argv[argc] = xstrdup(args[i]);
		argc++;
	}
	argv[argc] = NULL;
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		ck_assert_uint_lt(n, WORDS_MAX);
		envp[n++] = (char *)env[i];
	}
	if (config == NULL)
		config = empty = unit_tmpfile("", 0, 0600);
	config_var = malloc(strlen("ICEUPD_CONFIG=") + strlen(config) + 1);
	ck_assert_ptr_nonnull(config_var);
	strcpy(config_var, "ICEUPD_CONFIG=");
	strcat(config_var, config);
	envp[n++] = config_var;	/* the first one wins: env may override */
	envp[n] = NULL;

	rc = settings_load(s, argc, argv, envp);

	for (i = 0; i < (size_t)argc; i++)
		free(copies[i]);
	free(config_var);
	if (empty != NULL) {
		unlink(empty);
		free(empty);
	}
	return rc;
}

void
unit_settings(struct settings *s, const char *const *args,
    const char *const *env)
{
	ck_assert_msg(unit_settings_load(s, NULL, args, env) == 0,
	    "settings_load failed");
}

int
unit_configured(const struct provider *p, const struct settings *s, char *why,
    size_t len)
{
	why[0] = '\0';
	return p->configured(s, why, len);
}

char *
unit_ice_list_text(const struct ice_list *l)
{
	struct strbuf	 b = { 0 };
	size_t		 i, j;

	sb_adds(&b, "");
	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->servers[i].nurls; j++)
			sb_addf(&b, "%s%s", j ? "," : "",
			    l->servers[i].urls[j]);
		sb_addf(&b, "|%s|%s|%lld;", l->servers[i].username ?
		    l->servers[i].username : "-", l->servers[i].credential ?
		    l->servers[i].credential : "-",
		    (long long)l->servers[i].expires);
	}
	return b.s;
}

void
unit_stderr_begin(void)
{
	char	 path[] = "/tmp/iceupd-unit-stderr.XXXXXX";

	if ((capture_fd = mkstemp(path)) == -1)
		die("mkstemp");
	unlink(path);
	if ((saved_stderr = dup(STDERR_FILENO)) == -1)
		die("dup");
	if (dup2(capture_fd, STDERR_FILENO) == -1)
		die("dup2");
}

char *
unit_stderr_end(void)
{
	char	*text;

	if (dup2(saved_stderr, STDERR_FILENO) == -1)
		die("dup2");
	close(saved_stderr);
	saved_stderr = -1;
	if (lseek(capture_fd, 0, SEEK_SET) == -1)
		die("lseek");
	text = read_fd(capture_fd, NULL);
	close(capture_fd);
	capture_fd = -1;
	return text;
}

int
main(void)
{
	SRunner	*sr;
	size_t	 i;
	int	 failed;

	sr = srunner_create(NULL);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
