/* test_safefile.c: files others may write to: planted links, FIFOs, held
 * locks; atomic replacement; bounded reads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
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
	ck_assert_int_eq(safe_atomic_write(link, "x", 1), -1);
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
	ck_assert_int_eq(safe_read_file(path, &text, 100), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(safe_atomic_write(path, "x", 1), -1);
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

/* --- safe_atomic_write --- */

static char *
slurp(const char *path, size_t *len)
{
	char	*text = NULL;

	ck_assert_int_eq(safe_read_small_file(path, &text, 1 << 20), 0);
	*len = strlen(text);
	return text;
}

START_TEST(test_atomic_write)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], *text, *names;
	struct stat st;
	size_t	 len;

	snprintf(path, sizeof(path), "%s/out.json", d);
	ck_assert_int_eq(safe_atomic_write(path, "[1,2]\n", 6), 0);
	text = slurp(path, &len);
	ck_assert_str_eq(text, "[1,2]");	/* one newline dropped */
	free(text);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_size, 6);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	names = unit_dir_names(d);
	ck_assert_str_eq(names, "out.json");
	free(names);
	unit_rmdir(d);
}
END_TEST

START_TEST(test_atomic_write_replaces_0644)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], *text, *names;
	struct stat st;
	size_t	 len;
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/neko.env", d);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs("old content that is longer than the new one\n", fp);
	fclose(fp);
	ck_assert_int_eq(chmod(path, 0644), 0);

	ck_assert_int_eq(safe_atomic_write(path, "new", 3), 0);
	text = slurp(path, &len);
	ck_assert_str_eq(text, "new");
	free(text);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_size, 3);
	names = unit_dir_names(d);
	ck_assert_str_eq(names, "neko.env");
	free(names);

	/* Empty content is an empty file. */
	ck_assert_int_eq(safe_atomic_write(path, "", 0), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_size, 0);
	unit_rmdir(d);
}
END_TEST

START_TEST(test_atomic_write_binary)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], got[8];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/bin", d);
	ck_assert_int_eq(safe_atomic_write(path, "a\0b\nc", 5), 0);
	ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
	ck_assert_uint_eq(fread(got, 1, sizeof(got), fp), 5);
	fclose(fp);
	ck_assert_mem_eq(got, "a\0b\nc", 5);
	unit_rmdir(d);
}
END_TEST

START_TEST(test_atomic_write_missing_folder)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], *names;

	snprintf(path, sizeof(path), "%s/missing/out", d);
	errno = 0;
	ck_assert_int_eq(safe_atomic_write(path, "x", 1), -1);
	ck_assert_int_eq(errno, ENOENT);
	names = unit_dir_names(d);
	ck_assert_str_eq(names, "");
	free(names);
	unit_rmdir(d);
}
END_TEST

/* When the rename fails, the temporary file goes and the target stays. */
START_TEST(test_atomic_write_rename_fails)
{
	char	*d = unit_tmpdir(), path[PATH_MAX], *names;

	snprintf(path, sizeof(path), "%s/target", d);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	errno = 0;
	ck_assert_int_eq(safe_atomic_write(path, "x", 1), -1);
	ck_assert_int_ne(errno, 0);
	names = unit_dir_names(d);
	ck_assert_str_eq(names, "target");
	free(names);
	unit_rmdir(d);
}
END_TEST

/* A temporary file of a killed run goes at the next write, once stale. */
START_TEST(test_atomic_write_removes_stale_temps)
{
	struct timeval old[2] = { { time(NULL) - 3600, 0 },
		{ time(NULL) - 3600, 0 } };
	char	*d = unit_tmpdir(), path[PATH_MAX], stale[PATH_MAX];
	char	 fresh[PATH_MAX], other[PATH_MAX], *names;
	FILE	*f;

	snprintf(path, sizeof(path), "%s/out.json", d);
	snprintf(stale, sizeof(stale), "%s/.out.json.Ab12Cd", d);
	snprintf(fresh, sizeof(fresh), "%s/.out.json.Ef34Gh", d);
	snprintf(other, sizeof(other), "%s/.out.jsonx.Ij56Kl", d);
	ck_assert_ptr_nonnull(f = fopen(stale, "w"));
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(fresh, "w"));
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(other, "w"));
	fclose(f);
	ck_assert_int_eq(utimes(stale, old), 0);
	ck_assert_int_eq(utimes(other, old), 0);
	ck_assert_int_eq(safe_atomic_write(path, "x", 1), 0);
	names = unit_dir_names(d);
	ck_assert_ptr_null(strstr(names, "Ab12Cd"));
	ck_assert_ptr_nonnull(strstr(names, "Ef34Gh"));
	ck_assert_ptr_nonnull(strstr(names, "Ij56Kl"));
	free(names);
	unit_rmdir(d);
}
END_TEST

/* --- safe_read_small_file --- */

static void
read_case(const char *content, size_t len, size_t max, const char *want)
{
	char	*path = unit_tmpfile(content, len, 0600);
	char	*got = (char *)"unchanged";

	ck_assert_msg(safe_read_small_file(path, &got, max) == 0, "%s",
	    strerror(errno));
	ck_assert_str_eq(got, want);
	free(got);
	unlink(path);
	free(path);
}

static void
read_fails(const char *content, size_t len, size_t max, int want_errno)
{
	char	*path = unit_tmpfile(content, len, 0600);
	char	*got = (char *)"unchanged";

	errno = 0;
	ck_assert_int_eq(safe_read_small_file(path, &got, max), -1);
	ck_assert_int_eq(errno, want_errno);
	ck_assert_ptr_null(got);
	unlink(path);
	free(path);
}

START_TEST(test_read_small_file)
{
	char	*big, *got;
	char	*path;

	read_case("s3cret\n", 7, 100, "s3cret");
	read_case("s3cret\r\n", 8, 100, "s3cret");
	read_case("s3cret", 6, 100, "s3cret");
	read_case("two\nlines\n", 10, 100, "two\nlines");
	read_case("a\n\n", 3, 100, "a\n");
	read_case("", 0, 100, "");
	read_case("\n", 1, 100, "");
	read_case("  spaces kept  \n", 16, 100, "  spaces kept  ");
	read_case("0123456789", 10, 10, "0123456789");

	read_fails("0123456789", 10, 9, EFBIG);
	read_fails("a\0b\n", 4, 100, EINVAL);
	read_fails("\0", 1, 100, EINVAL);

	/* Bigger than one read. */
	big = malloc(10001);
	ck_assert_ptr_nonnull(big);
	memset(big, 'k', 10000);
	big[10000] = '\n';
	path = unit_tmpfile(big, 10001, 0600);
	ck_assert_int_eq(safe_read_small_file(path, &got, 65536), 0);
	ck_assert_uint_eq(strlen(got), 10000);
	free(got);
	ck_assert_int_eq(safe_read_small_file(path, &got, 10000), -1);
	ck_assert_int_eq(errno, EFBIG);
	unlink(path);
	free(path);
	free(big);

	errno = 0;
	got = (char *)"unchanged";
	ck_assert_int_eq(safe_read_small_file("/nonexistent/iceupd/secret", &got,
	    100), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(got);
}
END_TEST

UNIT_SUITE(safefile)
{
	return unit_suite("safefile", "files",
	    TESTS(test_safe_resolve_planted_link, test_fifo_refused,
	    test_safe_lock_bounded, test_atomic_write,
	    test_atomic_write_replaces_0644, test_atomic_write_binary,
	    test_atomic_write_missing_folder, test_atomic_write_rename_fails,
	    test_atomic_write_removes_stale_temps, test_read_small_file));
}
