/* probe/stun.h: STUN (RFC 8489) and TURN (RFC 8656) messages: encode and
 * decode. */
#ifndef ICEUPD_STUN_H
#define ICEUPD_STUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN	20
#define STUN_COOKIE	0x2112A442U
#define STUN_TID_LEN	12
#define STUN_MSG_MAX	1500	/* what we send, and read over TCP or TLS */
#define STUN_ATTRS_MAX	48	/* attributes indexed in one message */
#define STUN_KEY_LEN	16	/* MD5 long-term key */
#define STUN_TEXT_MAX	763	/* REALM, NONCE, SOFTWARE, reason phrase */
#define STUN_USER_MAX	512	/* USERNAME is under 513 bytes */

/* Methods, and classes: a message type is method | class. */
enum {
	STUN_BINDING = 0x001,
	STUN_ALLOCATE = 0x003,
	STUN_REFRESH = 0x004
};
enum {
	STUN_REQUEST = 0x000,
	STUN_INDICATION = 0x010,
	STUN_SUCCESS = 0x100,
	STUN_ERROR = 0x110
};
#define STUN_METHOD(t)	((t) & 0x3eef)
#define STUN_CLASS(t)	((t) & 0x0110)

/* Attributes. */
enum {
	STUN_A_MAPPED_ADDRESS = 0x0001,
	STUN_A_USERNAME = 0x0006,
	STUN_A_MESSAGE_INTEGRITY = 0x0008,
	STUN_A_ERROR_CODE = 0x0009,
	STUN_A_UNKNOWN_ATTRIBUTES = 0x000a,
	STUN_A_LIFETIME = 0x000d,
	STUN_A_XOR_PEER_ADDRESS = 0x0012,
	STUN_A_DATA = 0x0013,
	STUN_A_REALM = 0x0014,
	STUN_A_NONCE = 0x0015,
	STUN_A_XOR_RELAYED_ADDRESS = 0x0016,
	STUN_A_REQUESTED_TRANSPORT = 0x0019,
	STUN_A_MESSAGE_INTEGRITY_SHA256 = 0x001c,
	STUN_A_XOR_MAPPED_ADDRESS = 0x0020,
	STUN_A_PRIORITY = 0x0024,
	STUN_A_SOFTWARE = 0x8022,
	STUN_A_ALTERNATE_SERVER = 0x8023,
	STUN_A_FINGERPRINT = 0x8028,
	STUN_A_ICE_CONTROLLED = 0x8029,
	STUN_A_ICE_CONTROLLING = 0x802a
};

#define STUN_PROTO_UDP	17	/* REQUESTED-TRANSPORT value */

/* A message being built in place. */
struct stun_msg {
	uint8_t	 buf[STUN_MSG_MAX];
	size_t	 len;		/* bytes used, header included */
	uint8_t	 pad;		/* padding byte; RFC 5769 samples use ' ' */
	int	 full;		/* an attribute did not fit: the message is void */
};

/* Starts a message of type (method | class) with transaction id tid. */
void	 stun_init(struct stun_msg *, uint16_t type,
	    const uint8_t tid[STUN_TID_LEN]);
/* Appends an attribute, padded to 4 bytes.  Returns 0, or -1 when the value
 * is longer than 65535 bytes or the message is full (then every later call
 * fails too). */
int	 stun_add(struct stun_msg *, uint16_t type, const void *val,
	    size_t len);
int	 stun_add_str(struct stun_msg *, uint16_t type, const char *s);
int	 stun_add_u32(struct stun_msg *, uint16_t type, uint32_t v);
/* XOR-MAPPED-ADDRESS and its kin, from an AF_INET or AF_INET6 address. */
int	 stun_add_xor_addr(struct stun_msg *, uint16_t type,
	    const struct sockaddr *);
int	 stun_add_error(struct stun_msg *, int code, const char *reason);
/* MESSAGE-INTEGRITY (HMAC-SHA1 with key) over everything so far. */
int	 stun_add_integrity(struct stun_msg *, const uint8_t *key,
	    size_t keylen);
/* FINGERPRINT: must come last. */
int	 stun_add_fingerprint(struct stun_msg *);

/* The long-term key MD5(username ":" realm ":" password), credentials taken
 * as given (no SASLprep).  Returns 0, or -1 when they are too long. */
int	 stun_long_term_key(const char *user, const char *realm,
	    const char *pass, uint8_t key[STUN_KEY_LEN]);
/* Fills tid with random bytes; 0 ok, -1 when no randomness was available. */
int	 stun_new_tid(uint8_t tid[STUN_TID_LEN]);

/* One attribute of a decoded message; val points into the message. */
struct stun_attr {
	uint16_t	 type;
	uint16_t	 len;
	const uint8_t	*val;
	size_t		 off;	/* of its header, from the message start */
};

/* A checked message: buf is the caller's and must outlive the view. */
struct stun_view {
	const uint8_t	*buf;
	size_t		 len;		/* header included */
	uint16_t	 type;
	uint8_t		 tid[STUN_TID_LEN];
	struct stun_attr attrs[STUN_ATTRS_MAX];
	size_t		 nattrs;
	int		 integrity;	/* index of MESSAGE-INTEGRITY, or -1 */
	int		 fingerprint;	/* index of FINGERPRINT, or -1 */
};

/* Given at least STUN_HEADER_LEN bytes, the length of the whole message
 * they start (for framing over TCP), or -1 when they start no STUN message
 * or it would be longer than STUN_MSG_MAX. */
long	 stun_frame_len(const uint8_t *buf, size_t len);
/* Decodes exactly one message of len bytes: header, cookie, length, every
 * attribute's bounds and padding, the sizes of the attributes that have one,
 * at most STUN_ATTRS_MAX attributes, FINGERPRINT last.  Attributes after
 * MESSAGE-INTEGRITY other than FINGERPRINT are skipped (RFC 8489 14.5).
 * Returns 0, or -1 for anything malformed; never reads outside buf. */
int	 stun_parse(const uint8_t *buf, size_t len, struct stun_view *);
/* The first attribute of that type, or NULL. */
const struct stun_attr *stun_find(const struct stun_view *, uint16_t type);
/* The first comprehension-required attribute (type below 0x8000) this codec
 * does not know, or 0 when there is none. */
uint16_t stun_unknown_required(const struct stun_view *);

/* 0 when MESSAGE-INTEGRITY is present and matches key, -1 otherwise. */
int	 stun_check_integrity(const struct stun_view *, const uint8_t *key,
	    size_t keylen);
/* 0 when FINGERPRINT is present and matches, -1 otherwise. */
int	 stun_check_fingerprint(const struct stun_view *);

/* Decodes an XOR-*-ADDRESS attribute of that type into ss.  Returns 0, or -1
 * when absent or malformed. */
int	 stun_get_xor_addr(const struct stun_view *, uint16_t type,
	    struct sockaddr_storage *ss);
/* ERROR-CODE: *code (300-699) and the reason phrase, NUL-terminated and cut
 * to fit.  Returns 0, or -1 when absent or malformed. */
int	 stun_get_error(const struct stun_view *, int *code, char *reason,
	    size_t len);
int	 stun_get_u32(const struct stun_view *, uint16_t type, uint32_t *);
/* A text attribute, NUL-terminated in buf.  Returns 0, or -1 when absent,
 * holding a NUL byte, or longer than len - 1. */
int	 stun_get_str(const struct stun_view *, uint16_t type, char *buf,
	    size_t len);

/* Writes "ip:port" ("[ip]:port" for IPv6) of ss into buf. */
char	*stun_addr_str(const struct sockaddr_storage *ss, char *buf,
	    size_t len);

#endif
