/* fuzz_shell_sh.c: the property that matters for files others `source`:
 * /bin/sh reads `export X=<sb_shell_quote(bytes)>` back as exactly those
 * bytes (up to the first NUL, which no shell variable can hold).  Runs sh
 * once per input: slow, so `make fuzz` gives it a small -runs count. */
#include <sys/wait.h>
#include <errno.h>
#include <unistd.h>

#include "../src/util.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf	 cmd = { 0 }, got = { 0 };
	char		*s, buf[4096];
	int		 fd[2], st;
	ssize_t		 n;
	pid_t		 pid;

	if (size > 4096)
		return 0;
	s = fuzz_str(data, size);
	sb_adds(&cmd, "export X=");
	sb_shell_quote(&cmd, s);
	sb_adds(&cmd, "; printf %s \"$X\"");
	if (pipe(fd) == -1)
		abort();
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", cmd.s, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	/* libFuzzer's -timeout alarm may interrupt the reads and the wait. */
	while ((n = read(fd[0], buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			abort();
		sb_add(&got, buf, (size_t)n);
	}
	close(fd[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			abort();
	if (!WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		abort();	/* sh refused the line */
	if (got.len != strlen(s) || (got.len > 0 &&
	    memcmp(got.s, s, got.len) != 0))
		abort();	/* sh read back other bytes */
	sb_free(&cmd);
	sb_free(&got);
	free(s);
	return 0;
}
