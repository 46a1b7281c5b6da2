/* main.c: argv -> settings -> one command. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <libconfig.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "http.h"
#include "log.h"
#include "settings.h"
#include "util.h"

#ifndef ICEUPD_VERSION
#error "ICEUPD_VERSION: the Makefile defines it (debian/changelog)"
#endif

extern char **environ;

/* With fd 0, 1 or 2 closed, the next file opened would take its place and
 * receive what was meant for stdout or stderr. */
static void
ensure_std_fds(void)
{
	int	 fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1 && fd <= 2)
		fcntl(fd, F_SETFD, 0);
	if (fd > 2)
		close(fd);
}

static void
print_version(void)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	const char *const *proto;

	printf("iceupd %s\n", ICEUPD_VERSION);
	printf("libcurl %s (%s%s%s%s%s; protocols:", cv->version,
	    cv->ssl_version, cv->ares ? ", c-ares " : "",
	    cv->ares ? cv->ares : "", cv->nghttp2_version ? ", nghttp2 " : "",
	    cv->nghttp2_version ? cv->nghttp2_version : "");
	for (proto = cv->protocols; *proto != NULL; proto++)
		printf(" %s", *proto);
	printf(")\n");
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("cJSON %s\n", cJSON_Version());
	printf("libconfig %d.%d.%d\n", LIBCONFIG_VER_MAJOR,
	    LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
	printf("expat %d.%d.%d\n", XML_ExpatVersionInfo().major,
	    XML_ExpatVersionInfo().minor, XML_ExpatVersionInfo().micro);
}

int
main(int argc, char *argv[])
{
	struct settings	 s;
	sigset_t	 set;
	int		 rc;

	/* watch and serve take these with sigwait: blocked before any can
	 * arrive, unblocked below for the other commands.  No core dump, no
	 * ptrace by others of the same user: the memory holds secrets. */
	util_taken_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	(void)prctl(PR_SET_DUMPABLE, 0);
	(void)setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	ensure_std_fds();
	signal(SIGPIPE, SIG_IGN);
	log_init(0, LOG_TEXT);
	if (http_init() == -1) {
		log_error("cannot start libcurl");
		return EXIT_FAIL;
	}

	if (settings_load(&s, argc, argv, environ) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (s.command != CMD_WATCH && s.command != CMD_SERVE)
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	switch (s.command) {
	case CMD_HELP:
		settings_command_usage(stdout, s.topic);
		rc = fflush(stdout) == EOF ? EXIT_FAIL : EXIT_OK;
		break;
	case CMD_COMPLETION:
		settings_completion(stdout, s.shell);
		rc = fflush(stdout) == EOF ? EXIT_FAIL : EXIT_OK;
		break;
	case CMD_VERSION:
		print_version();
		rc = EXIT_OK;
		break;
	case CMD_PROVIDERS:
		rc = cmd_providers(&s);
		break;
	case CMD_WATCH:
		rc = cmd_watch(&s, argc, argv, environ);
		break;
	case CMD_CHECK:
		rc = cmd_check(&s);
		break;
	case CMD_DEPLOY:
		rc = cmd_deploy(&s);
		break;
	case CMD_SERVE:
		rc = cmd_serve(&s);
		break;
	default:
		rc = cmd_fetch(&s);
		break;
	}
out:
	settings_free(&s);
	log_forget_secrets();
	http_cleanup();
	return rc;
}
