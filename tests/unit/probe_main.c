/* probe_main.c: runs probe_list() on the URLs given, for the CLI tests.
 *
 * usage: probe_main [-Fkv] [-C cafile] [-t ms] url ...
 *
 * TURN URLs take their credentials from PROBE_USERNAME and PROBE_CREDENTIAL
 * (the environment, not argv).  One line per URL on stdout:
 *   URL STATUS relayed=ADDR mapped=ADDR rtt=MS lifetime=S error=TEXT
 * With -F, then one "kept URL" line per URL that probe_filter() keeps.
 * Exits 0 when every probe was ok, 1 otherwise, 2 on a usage error. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/ice.h"
#include "../../src/log.h"
#include "../../src/probe/probe.h"
#include "../../src/util.h"

static void
usage(void)
{
	fprintf(stderr, "usage: probe_main [-Fkv] [-C cafile] [-t ms] "
	    "url ...\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct probe_options opt = { 0 };
	struct probe_result *r;
	struct ice_list	 l = { 0 };
	const char	*user = getenv("PROBE_USERNAME");
	const char	*cred = getenv("PROBE_CREDENTIAL");
	char		 err[128];
	long		 timeout = 5000;
	size_t		 i, j, n;
	int		 ch, filter = 0, verbose = 0, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "C:Fkt:v")) != -1) {
		switch (ch) {
		case 'C':
			opt.cacert = optarg;
			break;
		case 'F':
			filter = 1;
			break;
		case 'k':
			opt.insecure = 1;
			break;
		case 't':
			if (util_parse_long(optarg, 1, 600000, &timeout) == -1)
				usage();
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	log_init(verbose, LOG_TEXT);
	log_secret(cred);
	for (ch = 0; ch < argc; ch++)
		if (ice_list_add(&l, argv[ch], user, cred, 0, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "probe_main: %s: %s\n", argv[ch], err);
			exit(2);
		}

	opt.deadline = util_monotonic_ms() + timeout;
	r = probe_list(&l, &opt, &n);
	for (i = 0; i < n; i++) {
		printf("%s %s relayed=%s mapped=%s rtt=%ld lifetime=%ld "
		    "error=%s\n", r[i].url, probe_status_names[r[i].status],
		    r[i].relayed, r[i].mapped, r[i].rtt_ms, r[i].lifetime,
		    r[i].error);
		if (r[i].status != PROBE_OK)
			rc = 1;
	}
	if (filter) {
		if (probe_filter(&l, r, n) == -1) {
			fprintf(stderr, "probe_main: probe_filter failed\n");
			rc = 1;
		}
		for (i = 0; i < l.n; i++)
			for (j = 0; j < l.servers[i].nurls; j++)
				printf("kept %s\n", l.servers[i].urls[j]);
	}
	free(r);
	ice_list_free(&l);
	log_forget_secrets();
	return rc;
}
