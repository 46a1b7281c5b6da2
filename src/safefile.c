/* safefile.c: the program's file I/O, for files in folders others may
 * write to: no link planted by another user followed, no FIFO or device
 * opened, no lock waited for without end, no read without a bound. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"
#include "util.h"

#define TEMP_STALE_S	60	/* a temporary file this old was left by a killed run */

#define LINK_HOPS	16
#define TEMP_SUFFIX	6	/* the X's of ".NAME.XXXXXX" */

/* The kernel's protected_symlinks rule, applied before anything is opened
 * (a link resolved by hand would escape the kernel's check): in a sticky,
 * world-writable folder, only a link owned by the caller, by root or by the
 * folder's owner is followed. */
static int
link_trusted(const struct stat *link, const struct stat *dir)
{
	uid_t	 me = geteuid();

	if ((dir->st_mode & S_ISVTX) == 0 || (dir->st_mode & S_IWOTH) == 0)
		return 1;
	return link->st_uid == me || link->st_uid == 0 ||
	    link->st_uid == dir->st_uid;
}

char *
safe_resolve(const char *path)
{
	struct stat ls, ds;
	char	 target[PATH_MAX], *cur = xstrdup(path), *next, *dir;
	const char *parent;
	ssize_t	 n;
	int	 hops, saved;

	for (hops = 0;; hops++) {
		if (lstat(cur, &ls) == -1) {
			if (errno == ENOENT)
				return cur;	/* to be created here */
			free(cur);
			return NULL;
		}
		if (!S_ISLNK(ls.st_mode))
			return cur;
		dir = xstrdup(cur);
		parent = dirname(dir);	/* "." is not in dir */
		if (hops == LINK_HOPS)
			errno = ELOOP;
		else if (stat(parent, &ds) == 0 && !link_trusted(&ls, &ds))
			errno = EPERM;
		else if ((n = readlink(cur, target, sizeof(target) - 1)) >= 0) {
			target[n] = '\0';
			next = xmalloc(strlen(parent) + (size_t)n + 2);
			if (target[0] == '/')
				snprintf(next, (size_t)n + 1, "%s", target);
			else
				sprintf(next, "%s/%s", parent, target);
			free(dir);
			free(cur);
			cur = next;
			continue;
		}
		saved = errno;
		free(dir);
		free(cur);
		errno = saved;
		return NULL;
	}
}

int
safe_parent(const char *path, char **base)
{
	char	*d = xstrdup(path), *b = xstrdup(path);
	int	 fd;

	fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*base = xstrdup(basename(b));
	free(d);
	free(b);
	if (fd == -1) {
		free(*base);
		*base = NULL;
	}
	return fd;
}

/* Opens base in dfd, never through a link and never blocking on a FIFO or
 * device; anything but a regular file is EINVAL. */
static int
open_regular_at(int dfd, const char *base, int flags, mode_t mode)
{
	struct stat st;
	int	 fd;

	fd = openat(dfd, base, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int
safe_open_regular(const char *path, int flags, mode_t mode)
{
	char	*real, *base = NULL;
	int	 dfd = -1, fd = -1, saved;

	if ((real = safe_resolve(path)) == NULL)
		return -1;
	if ((dfd = safe_parent(real, &base)) != -1)
		fd = open_regular_at(dfd, base, flags, mode);
	saved = errno;
	if (dfd != -1)
		close(dfd);
	free(base);
	free(real);
	errno = saved;
	return fd;
}

int
safe_lock(const char *path, int how, long wait_ms)
{
	struct strbuf lp = { 0 };
	struct timespec ts = { 0, 0 };
	long long until = util_monotonic_ms() + wait_ms;
	long	 step = 5;
	int	 fd, saved;

	sb_addf(&lp, "%s.lock", path);
	fd = safe_open_regular(lp.s, O_RDWR | O_CREAT, 0600);
	/* flock works on a descriptor open for reading too: a folder the
	 * caller may not write still has its readers and writers agree. */
	if (fd == -1 && (errno == EROFS || errno == EACCES) &&
	    (how & LOCK_EX) == 0)
		fd = safe_open_regular(lp.s, O_RDONLY, 0);
	sb_free(&lp);
	if (fd == -1)
		return -1;
	while (flock(fd, how | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    util_monotonic_ms() >= until) {
			saved = errno == EINTR ? EWOULDBLOCK : errno;
			close(fd);
			errno = saved;
			return -1;
		}
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		step = step < 100 ? step * 2 : 100;
	}
	return fd;
}

int
safe_temp_at(int dfd, const char *base, char *name, size_t len)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[TEMP_SUFFIX];
	size_t	 at;
	int	 tries, fd, i;

	at = (size_t)snprintf(name, len, ".%s.", base);
	if (at + TEMP_SUFFIX >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -1;
		for (i = 0; i < TEMP_SUFFIX; i++)
			name[at + (size_t)i] = alnum[rnd[i] %
			    (sizeof(alnum) - 1)];
		name[at + TEMP_SUFFIX] = '\0';
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

void
safe_remove_temps_of(const char *path)
{
	char	*real, *base = NULL;
	int	 dfd;

	if ((real = safe_resolve(path)) == NULL)
		return;
	if ((dfd = safe_parent(real, &base)) != -1) {
		safe_remove_temps(dfd, base, 0);
		close(dfd);
	}
	free(base);
	free(real);
}

void
safe_remove_temps(int dfd, const char *base, long min_age_s)
{
	struct dirent *e;
	struct stat st;
	size_t	 blen = strlen(base);
	time_t	 now = time(NULL);
	DIR	*d;
	int	 fd;

	if ((fd = dup(dfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != blen + 2 + TEMP_SUFFIX ||
		    e->d_name[0] != '.' || strncmp(e->d_name + 1, base, blen) ||
		    e->d_name[blen + 1] != '.')
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    now - st.st_mtime >= min_age_s)
			(void)unlinkat(dfd, e->d_name, 0);
	}
	closedir(d);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
safe_atomic_write(const char *path, const char *data, size_t len)
{
	struct stat st;
	char	*real = NULL, *base = NULL, tmp[NAME_MAX + 1];
	int	 fd = -1, dfd = -1, rc = -1, saved;

	tmp[0] = '\0';
	if ((real = safe_resolve(path)) == NULL ||
	    (dfd = safe_parent(real, &base)) == -1)
		goto out;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	safe_remove_temps(dfd, base, TEMP_STALE_S);
	if ((fd = safe_temp_at(dfd, base, tmp, sizeof(tmp))) == -1) {
		tmp[0] = '\0';
		goto out;
	}
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1)
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc == -1 || (rc = renameat(dfd, tmp, dfd, base)) == -1)
		goto out;
	tmp[0] = '\0';
	/* Make the rename itself durable; failure here changes nothing. */
	(void)fsync(dfd);
out:
	saved = errno;
	if (fd != -1)
		close(fd);
	if (tmp[0] != '\0')
		(void)unlinkat(dfd, tmp, 0);
	if (dfd != -1)
		close(dfd);
	free(base);
	free(real);
	errno = saved;
	return rc;
}

const char *
safe_strerror(int err)
{
	if (err == EINVAL)
		return "not a regular file";
	if (err == EPERM)
		return "a link or file of another user in a shared folder; "
		    "not followed";
	return strerror(err);
}

int
safe_read_file(const char *path, char **out, size_t max)
{
	struct strbuf b = { 0 };
	struct stat st;
	char	 buf[4096];
	ssize_t	 n;
	int	 fd, saved;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len + (size_t)n > max) {
			n = -1;
			errno = EFBIG;
			break;
		}
		sb_add(&b, buf, (size_t)n);
	}
	saved = errno;
	close(fd);
	if (n < 0) {
		util_free_secret(b.s);
		errno = saved;
		return -1;
	}
	if (b.s == NULL)
		b.s = xstrdup("");
	if (strlen(b.s) != b.len) {
		util_free_secret(b.s);
		errno = EINVAL;
		return -1;
	}
	*out = b.s;
	return 0;
}

int
safe_read_small_file(const char *path, char **out, size_t max)
{
	size_t	 len;

	if (safe_read_file(path, out, max) == -1)
		return -1;
	len = strlen(*out);
	if (len > 0 && (*out)[len - 1] == '\n')
		(*out)[--len] = '\0';
	if (len > 0 && (*out)[len - 1] == '\r')
		(*out)[--len] = '\0';
	return 0;
}
