/* safefile.h: the program's file I/O, for files in folders others may
 * write to: no link planted by another user followed, no FIFO or device
 * opened, no lock waited for without end, no read without a bound. */
#ifndef ICEUPD_SAFEFILE_H
#define ICEUPD_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

/* path with the links of its last component followed, as a new string; a
 * link in a sticky, world-writable folder owned by neither the caller, root
 * nor the folder's owner is refused (EPERM).  A missing file is no error:
 * the path where it would be created is returned. */
char	*safe_resolve(const char *path);
/* Opens the folder of path (-1 with errno); *base gets the last component. */
int	 safe_parent(const char *path, char **base);
/* open() of a regular file, resolved by safe_resolve and opened with
 * O_NOFOLLOW and O_NONBLOCK; a FIFO, device or folder is EINVAL. */
int	 safe_open_regular(const char *path, int flags, mode_t mode);
/* flock()s PATH.lock (created 0600; opened read-only for a shared lock in
 * a folder the caller cannot write), waiting at most wait_ms.  Returns the
 * descriptor, or -1 with errno (EWOULDBLOCK: still held by another). */
int	 safe_lock(const char *path, int how, long wait_ms);
/* Creates ".BASE.XXXXXX" in dfd, 0600, never through a link; its name goes
 * to name.  Returns the descriptor or -1. */
int	 safe_temp_at(int dfd, const char *base, char *name, size_t len);
/* Removes the caller's temporary files of base in dfd (left by a killed
 * run) at least min_age_s old. */
void	 safe_remove_temps(int dfd, const char *base, long min_age_s);
/* All of them, for path: for its lock holder, whose writes are the only
 * ones, so that any such file is left over. */
void	 safe_remove_temps_of(const char *path);

/* Writes data to path through a temporary file in the same folder, fsync and
 * rename, so readers see the old or the new file, never a part.  The file gets
 * mode 0600.  A symbolic link is followed (the file it names is replaced);
 * anything else that is not a regular file (a device, a FIFO) is refused
 * with EINVAL.  Returns 0, or -1 with errno set and nothing changed. */
int	 safe_atomic_write(const char *path, const char *data, size_t len);
/* strerror() for the errno of these functions: EINVAL and EPERM as
 * they mean it. */
const char *safe_strerror(int err);

/* Reads a whole text file of at most max bytes into *out (NUL-terminated;
 * a NUL inside is EINVAL; a FIFO, device or folder too).  Returns 0, or -1
 * with errno set. */
int	 safe_read_file(const char *path, char **out, size_t max);
/* safe_read_file, dropping one trailing newline (and CR): for secrets. */
int	 safe_read_small_file(const char *path, char **out, size_t max);

#endif
