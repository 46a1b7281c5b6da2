/* test_safefile.c: files others may write to: planted links, FIFOs, held
 * locks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/safefile.h"
#include "../../src/util.h"
#include "unit.h"

/* In a sticky, world-writable folder a link of another user is refused;
 * the caller's own is followed.  Needs root (to give a link away). */
START_TEST(test_safe_resolve_planted_link)
{
	char	*d = unit_tmpdir(), link[PATH_MAX], mine[PATH_MAX], want[PATH_MAX];
	char	 lock[PATH_MAX], *got;

	if (geteuid() != 0) {
		unit_rmdir(d);
		return;
	}
	ck_assert_int_eq(chmod(d, 01777), 0);
	snprintf(link, sizeof(link), "%s/planted", d);
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	ck_assert_int_eq(lchown(link, 65534, 65534), 0);
	errno = 0;
	ck_assert_ptr_null(safe_resolve(link));
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(util_atomic_write(link, "x", 1), -1);
	ck_assert_int_eq(errno, EPERM);
	snprintf(lock, sizeof(lock), "%s/cache.json.lock", d);
	ck_assert_int_eq(symlink("/etc/passwd", lock), 0);
	ck_assert_int_eq(lchown(lock, 65534, 65534), 0);
	snprintf(want, sizeof(want), "%s/cache.json", d);
	errno = 0;
	ck_assert_int_eq(safe_lock(want, LOCK_EX, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(unlink(lock), 0);
	snprintf(mine, sizeof(mine), "%s/mine", d);
	ck_assert_int_eq(symlink("target", mine), 0);
	snprintf(want, sizeof(want), "%s/target", d);
	got = safe_resolve(mine);
	ck_assert_str_eq(got, want);
	free(got);
	ck_assert_int_eq(chmod(d, 0700), 0);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(unlink(mine), 0);
	unit_rmdir(d);
}
END_TEST

/* A FIFO is neither read nor written, and opening it does not block. */
START_TEST(test_fifo_refused)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], *text = NULL;

	snprintf(path, sizeof(path), "%s/fifo", d);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	errno = 0;
	ck_assert_int_eq(util_read_file(path, &text, 100), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(util_atomic_write(path, "x", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(safe_open_regular(path, O_RDONLY, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(unlink(path), 0);
	unit_rmdir(d);
}
END_TEST

/* A lock held elsewhere is waited for a bounded time. */
START_TEST(test_safe_lock_bounded)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], lock[PATH_MAX + 8];
	int	 held, fd;

	snprintf(path, sizeof(path), "%s/cache.json", d);
	ck_assert_int_ge(held = safe_lock(path, LOCK_EX, 0), 0);
	errno = 0;
	ck_assert_int_eq(safe_lock(path, LOCK_SH, 50), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(held);
	ck_assert_int_ge(fd = safe_lock(path, LOCK_SH, 50), 0);
	close(fd);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	ck_assert_int_eq(unlink(lock), 0);
	unit_rmdir(d);
}
END_TEST

UNIT_SUITE(safefile)
{
	Suite	*s = suite_create("safefile");
	TCase	*tc = tcase_create("files");

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, test_safe_resolve_planted_link);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_safe_lock_bounded);
	suite_add_tcase(s, tc);
	return s;
}
