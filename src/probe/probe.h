/* probe/probe.h: does a STUN/TURN server work?  A STUN Binding for stun: and
 * stuns:, a TURN allocation (released at once) for turn: and turns:. */
#ifndef ICEUPD_PROBE_H
#define ICEUPD_PROBE_H

#include <stddef.h>

#include "../ice.h"

#define PROBE_PARALLEL	16	/* probes running at once */

enum probe_status {
	PROBE_OK,
	PROBE_UNREACHABLE,	/* refused or no route: nothing listens there */
	PROBE_TIMEOUT,		/* no answer within the deadline */
	PROBE_BAD_CREDENTIALS,	/* 401 to the authenticated request */
	PROBE_ERROR		/* anything else: TLS, protocol, refusal */
};

/* "ok", "unreachable", "timeout", "bad-credentials", "error". */
extern const char *const probe_status_names[];	/* by enum probe_status */

struct probe_options {
	long long	 deadline;	/* util_monotonic_ms(): all done by */
	const char	*cacert;	/* extra CA file for stuns/turns, or NULL */
	int		 insecure;	/* no TLS verification: for self-signed
					 * test relays only */
};

struct probe_result {
	char	 url[ICE_URI_MAX + 1];	/* as probed */
	enum probe_status status;
	char	 relayed[64];	/* TURN: "ip:port" or "[ip]:port", else "" */
	char	 mapped[64];	/* our address as the server saw it, or "" */
	long	 rtt_ms;	/* first request to its answer; -1: none */
	long	 lifetime;	/* TURN: seconds granted; 0 otherwise */
	char	 error[256];	/* why, when not ok; never holds a secret */
};

/* Probes one URL under opt->deadline: resolves the host, then a Binding
 * (stun, stuns) or an Allocate answered by the 401 challenge and retried with
 * username and credential, then a Refresh with LIFETIME 0 (turn, turns).
 * Over UDP, requests are retransmitted per RFC 8489 (RTO 500 ms, doubling).
 * stuns and turns use TLS, verified against the system CAs and opt->cacert
 * unless opt->insecure.  Fills r; returns 0 when r->status is PROBE_OK, -1
 * otherwise.  Host name resolution is not bounded by the deadline. */
int	 probe_url(const char *url, const char *username,
	    const char *credential, const struct probe_options *opt,
	    struct probe_result *r);

/* Probes every URL of l concurrently, at most PROBE_PARALLEL at once, all
 * under opt->deadline.  Returns ice_list_nurls(l) results in list order
 * (server by server, URL by URL), in one allocation to free(), with their
 * count in *n; NULL with *n = 0 when l has no URL. */
struct probe_result *probe_list(const struct ice_list *l,
	    const struct probe_options *opt, size_t *n);

/* Drops from l the URLs whose result (as probe_list returned them for this
 * very list) is not PROBE_OK, and the entries left without a URL.  Returns
 * the number of URLs dropped, or -1 when n does not match l (l unchanged). */
int	 probe_filter(struct ice_list *l, const struct probe_result *r,
	    size_t n);

#endif
