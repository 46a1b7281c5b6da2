/* unit.h: the iceupd unit test suites and the helpers they share. */
#ifndef ICEUPD_UNIT_H
#define ICEUPD_UNIT_H

#include <check.h>
#include <stddef.h>

/* Seconds each test may take; generous for the ASan+UBSan build. */
#define UNIT_TIMEOUT	60

/* Opens the definition of the suite of tests/unit/test_NAME.c, which
 * returns the Suite it builds.  NAME is the path of the module tested below
 * src/, '/' written '_' (src/providers/api.c: providers_api); unit.c runs
 * the suite of every such file, listed by make in build/gen/unit_suites.h. */
#define UNIT_SUITE(name) \
	Suite *name##_suite(void); \
	Suite *name##_suite(void)

/* NULL-terminated lists of tests, for unit_tcase() and unit_suite(). */
#define TESTS(...)	((const TTest *const[]){ __VA_ARGS__, NULL })

/* Adds to s a test case called name, with UNIT_TIMEOUT, holding tests (a
 * TESTS() list, or NULL) in that order; returns it, for tests to add after
 * them. */
TCase	*unit_tcase(Suite *s, const char *name, const TTest *const *tests);
/* Adds tests (a TESTS() list, or NULL) to tc, in that order. */
void	 unit_add_tests(TCase *tc, const TTest *const *tests);
/* Adds to tc the loop test test, run once for each row of the array
 * table (_i is the row). */
#define UNIT_LOOP(tc, test, table) \
	tcase_add_loop_test((tc), (test), 0, \
	    (int)(sizeof(table) / sizeof((table)[0])))
/* A suite called name with the one test case unit_tcase(s, tcase, tests). */
Suite	*unit_suite(const char *name, const char *tcase,
	    const TTest *const *tests);

struct ice_list;
struct provider;
struct settings;

/* NULL-terminated lists of words, for unit_settings(). */
#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define ARGS(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* settings_load() of "iceupd args..." and env (either may be NULL).
 * Unless env names ICEUPD_CONFIG itself, the config file is config, or an
 * empty one when config is NULL, so that no file of this machine is read. */
int	 unit_settings_load(struct settings *s, const char *config,
	    const char *const *args, const char *const *env);
/* unit_settings_load() with no config file, which must succeed; free s
 * with settings_free(). */
void	 unit_settings(struct settings *s, const char *const *args,
	    const char *const *env);
/* p->configured(s) with why emptied first. */
int	 unit_configured(const struct provider *p, const struct settings *s,
	    char *why, size_t len);

/* Runs script with /bin/sh -c and returns the bytes it wrote to stdout,
 * NUL-terminated, with their count in *len; *status gets the wait status.
 * Free the result. */
char	*unit_sh(const char *script, size_t *len, int *status);

/* Creates a file in /tmp holding len bytes of content, with the given mode.
 * Returns its path, to unlink and free. */
char	*unit_tmpfile(const char *content, size_t len, int mode);

/* A new empty folder in /tmp; unit_rmdir() removes it with the files in it
 * and frees the path.  unit_dir_names() gives the names in a folder (not .
 * and ..) joined with '/'; free it. */
char	*unit_tmpdir(void);
void	 unit_rmdir(char *d);
char	*unit_dir_names(const char *d);

/* A bound on wall time, in milliseconds: ms, or 20 times ms under a
 * runner that makes the process that much slower (valgrind sets
 * ICEUPD_TEST_SLOW, as for the CLI tests). */
long long unit_time_bound(long long ms);

/* The list as one line: "url,url|user|cred|expires;" per entry ("-" for
 * no user or credential); free it. */
char	*unit_ice_list_text(const struct ice_list *);

/* Sends fd 2 to a temporary file until unit_stderr_end(), which puts fd 2
 * back and returns what was written (NUL-terminated; free it). */
void	 unit_stderr_begin(void);
char	*unit_stderr_end(void);

#endif
