/* test_outstate.c: the record of what watch wrote, in the lock file. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../src/outstate.h"
#include "../../src/settings.h"
#include "unit.h"

static int
lockfile(char *d, const char *text)
{
	char	 path[512];
	int	 fd;

	snprintf(path, sizeof(path), "%s/out.json.lock", d);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	if (text != NULL)
		ck_assert_int_eq(write(fd, text, strlen(text)),
		    (ssize_t)strlen(text));
	return fd;
}

/* A record written is read back, and matches the text and settings that
 * made it only. */
START_TEST(test_round_trip)
{
	struct settings	 s, rtc;
	struct ice_list	 l;
	struct outstate	 st, got;
	char		*d = unit_tmpdir(), err[128];
	int		 fd = lockfile(d, "old, longer content than any record is, "
			    "to be replaced whole: .............................."
			    ".................................................."
			    "..................................................");

	unit_settings(&s, ARGS("watch"), NULL);
	unit_settings(&rtc, ARGS("watch", "-f", "rtc"), NULL);
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(ice_list_add(&l, "turn:h:3478", "1700003600:u", "c",
	    1700003600, err, sizeof(err)), 0);
	l.fetched_at = 1700000000;
	outstate_make(&st, &s, "[the file]", &l);
	ck_assert_int_eq(outstate_write(fd, &st), 0);
	ck_assert_int_eq(outstate_read(fd, &got), 0);
	ck_assert_int_eq(got.fetched_at, 1700000000);
	ck_assert_int_eq(got.expires, 1700003600);
	ck_assert_int_eq(got.has_turn, 1);
	ck_assert(outstate_matches(&got, &s, "[the file]"));
	ck_assert(!outstate_matches(&got, &s, "[the file] "));
	ck_assert(!outstate_matches(&got, &rtc, "[the file]"));
	ck_assert(!outstate_matches(&got, &s, NULL));
	/* Emptied: no record. */
	ck_assert_int_eq(outstate_write(fd, NULL), 0);
	ck_assert_int_eq(outstate_read(fd, &got), -1);
	close(fd);
	ice_list_free(&l);
	settings_free(&s);
	settings_free(&rtc);
	unit_rmdir(d);
}
END_TEST

/* Whatever else the lock file holds is no record. */
START_TEST(test_garbage)
{
	static const char *const bad[] = { "", "\n", "iceupd-output 1",
		"iceupd-output 2 " "aa aa 1 2 1\n",
		"iceupd-output 1 zz zz 1 2 1\n",
		"iceupd-output 1 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"0 2 1\n",
		"iceupd-output 1 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"5 -1 1\n",
		"iceupd-output 1 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"5 6 2\n",
		"iceupd-output 1 "
		"000000000000000000000000000000000000000000000000000000000000000 "
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"5 6 1\n" };
	struct outstate	 got;
	char		*d = unit_tmpdir();
	size_t		 i;
	int		 fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = lockfile(d, bad[i]);
		ck_assert_msg(outstate_read(fd, &got) == -1, "accepted: %s",
		    bad[i]);
		ck_assert_int_eq(got.fetched_at, 0);
		close(fd);
	}
	unit_rmdir(d);
}
END_TEST

UNIT_SUITE(outstate)
{
	return unit_suite("outstate", "record", TESTS(test_round_trip,
	    test_garbage));
}
