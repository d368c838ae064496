/* Two-factor sign-in: what the files of fcgi/features/twofa share (no other feature includes it). */
#ifndef MP_FEATURES_TWOFA_EXTERN_H
#define MP_FEATURES_TWOFA_EXTERN_H

#include "features/twofa/twofa.h"
#include "features/accounts/accounts.h"
#include "features/notify/notify.h"

/* otp.c: base32, TOTP (RFC 6238 over RFC 4226), backup codes. */
#define MP_TOTP_SECRET	20	/* bytes, as RFC 4226 recommends */
#define MP_TOTP_PERIOD	30	/* seconds */
#define MP_TOTP_DIGITS	6
#define MP_BACKUP_CODES	10
#define MP_BACKUP_LEN	12	/* characters, shown as xxxx-xxxx-xxxx */

/* RFC 4648 base32 without padding, upper case, into the arena. */
char		*mp_base32(struct mp_arena *, const void *, size_t);
/*
 * Decode base32 (case, spaces and '=' padding ignored) into out (at
 * most max bytes); returns the length, or -1 for a bad character or
 * overflow.
 */
int		 mp_base32_decode(const char *, unsigned char *out,
		    size_t max);
/* The base32 secret in groups of four for reading aloud: "ABCD EFGH ...". */
char		*mp_base32_grouped(struct mp_arena *, const char *);
/* HOTP value of key for counter step, digits long (1..9). */
uint32_t	 mp_totp(const unsigned char *key, size_t klen, uint64_t step,
		    int digits);
/* The TOTP step of unix time t. */
uint64_t	 mp_totp_step(int64_t t);
/*
 * If code (digits of MP_TOTP_DIGITS, spaces allowed) is the TOTP of key
 * at step-1, step or step+1, the step it matched; else 0.
 */
uint64_t	 mp_totp_match(const unsigned char *key, size_t klen,
		    uint64_t step, const char *code);
/* A fresh backup code, MP_BACKUP_LEN characters of a-z2-7, in the arena. */
char		*mp_backup_code(struct mp_arena *);
/*
 * A typed backup code in its stored form (lower case, no dashes or
 * spaces), or NULL when it cannot be one.
 */
char		*mp_backup_norm(struct mp_arena *, const char *);
/* "abcd-efgh-ijkl" for showing a code. */
char		*mp_backup_show(struct mp_arena *, const char *);

/* qr.c: QR code (ISO/IEC 18004) in byte mode, error correction level M. */
#define MP_QR_MAXVER	15
#define MP_QR_MAXSIZE	(17 + 4 * MP_QR_MAXVER)

struct mp_qr {
	int		 version;	/* 1..MP_QR_MAXVER */
	int		 size;		/* modules per side: 17 + 4 * version */
	int		 mask;		/* 0..7 */
	unsigned char	 dark[MP_QR_MAXSIZE][MP_QR_MAXSIZE];	/* [y][x] */
};

/*
 * Encode data[0..len) in the smallest version that holds it, with mask
 * (0..7) or, for -1, the mask of least penalty.  MP_ELIMIT when it does
 * not fit in version MP_QR_MAXVER (412 bytes).
 */
enum mp_err	 mp_qr_encode(const void *, size_t, int mask, struct mp_qr *);
/* The code as an SVG document (4-module quiet zone), in the arena. */
char		*mp_qr_svg(struct mp_arena *, const struct mp_qr *,
		    int pixels);
/* The 15 format bits (level M, mask) as the standard writes them. */
unsigned	 mp_qr_format_bits(int mask);

/* seal.c: secrets at rest and signed cookies. */
#define MP_SEAL_KEYLEN	32

/*
 * The keys of a tenant: derived from twofa_key when it is set, else from
 * the database's signing key (mp_signing_key).  Arena memory.
 */
struct mp_twofa_keys {
	char		 kid[8];		/* "c" or "d<kid>": which master */
	unsigned char	 seal[MP_SEAL_KEYLEN];	/* AES-256-GCM */
	unsigned char	 mac[MP_SEAL_KEYLEN];	/* HMAC-SHA256 */
};

/* Derive both keys from master for tenant tid (HMAC-SHA256 as the KDF). */
void		 mp_twofa_derive(const unsigned char *master, size_t mlen,
		    int64_t tid, const char *kid, struct mp_twofa_keys *);
/*
 * Seal plain[0..len) for user uid: "<kid>.<base64url(nonce|ct|tag)>".
 * The user and tenant are bound in as associated data.
 */
char		*mp_seal(struct mp_arena *, const struct mp_twofa_keys *,
		    int64_t tid, int64_t uid, const void *, size_t);
/* Open a sealed value into out (max bytes); length or -1 if forged. */
int		 mp_unseal(const struct mp_twofa_keys *, int64_t tid,
		    int64_t uid, const char *sealed, unsigned char *out,
		    size_t max);
/* The remember-this-device cookie: user, expiry, epoch, HMAC. */
char		*mp_remember_make(struct mp_arena *,
		    const struct mp_twofa_keys *, int64_t tid, int64_t uid,
		    int64_t expires, int64_t epoch);
/* 1 if cookie is genuine, for uid and epoch, and not expired at now. */
int		 mp_remember_check(const struct mp_twofa_keys *, int64_t tid,
		    int64_t uid, int64_t epoch, int64_t now,
		    const char *cookie);
/* Keys for ctx's tenant; the master named kid (NULL: the current one). */
enum mp_err	 mp_twofa_keys(struct mp_ctx *, const char *kid,
		    struct mp_twofa_keys *);

/* store.c: the data, shared by the pages, the JSON API and the gate. */
struct mp_twofa_state {
	int		 enabled;
	int		 pending;	/* a setup waits for its first code */
	int		 codes_left;
	char		*enabled_at;	/* ISO 8601 or NULL */
	int		 required;	/* staff of a tenant that requires it */
	char		*required_by;	/* end of the grace period, or NULL */
	int		 grace_over;
	int64_t		 epoch;
};

enum mp_err	 mp_twofa_state(struct mp_ctx *, const char *uid,
		    enum mp_role, struct mp_twofa_state *);
/* A new pending secret for uid; *secret (base32) and *uri for the app. */
enum mp_err	 mp_twofa_begin(struct mp_ctx *, const char *uid,
		    const char *email, char **secret, char **uri);
/* The pending secret again (a refused first code shows the page again). */
enum mp_err	 mp_twofa_pending(struct mp_ctx *, const char *uid,
		    const char *email, char **secret, char **uri);
/*
 * Confirm the pending secret with its first code: 2FA on, ten backup
 * codes made (*codes, shown once).  MP_EINPUT (field "code") for a wrong
 * code, MP_ECONFLICT when nothing is pending.
 */
enum mp_err	 mp_twofa_confirm(struct mp_ctx *, const char *uid,
		    const char *code, char ***codes);
/*
 * Check a code of an enabled user: a TOTP code (a step newer than the
 * last one used) or, if backup is set, a backup code (spent).  *kind is
 * "totp" or "backup"; MP_EINPUT (field "code") when it is neither.
 */
enum mp_err	 mp_twofa_check(struct mp_ctx *, const char *uid,
		    const char *code, int backup, const char **kind);
enum mp_err	 mp_twofa_disable(struct mp_ctx *, const char *uid);
enum mp_err	 mp_twofa_new_codes(struct mp_ctx *, const char *uid,
		    char ***codes);
/*
 * Wrong codes in the window: *over when the account (uid) or the device
 * (dev, a hash) has had its share.  mp_twofa_failed records one.
 */
enum mp_err	 mp_twofa_throttled(struct mp_ctx *, const char *uid,
		    const char *dev, int *over);
enum mp_err	 mp_twofa_failed(struct mp_ctx *, const char *uid,
		    const char *dev);
/*
 * mp_twofa_check behind the throttle, for the signed-in forms and the
 * API: MP_ERATE (field "code") when over it; a wrong code is recorded
 * and committed before MP_EINPUT returns, so the error's rollback keeps
 * it.
 */
enum mp_err	 mp_twofa_check_guarded(struct mp_ctx *, const char *uid,
		    const char *dev, const char *code, int backup,
		    const char **kind);
/* The hourly cleanup of old failures and expired pending sign-ins. */
enum mp_err	 mp_twofa_job_cleanup(struct mp_job *);
/* security_events kind 'twofa' with {"action": action}. */
enum mp_err	 mp_twofa_event(struct mp_ctx *, const char *uid,
		    const char *sid, const char *action, const char *ip,
		    const char *ua);
/* The password of uid checks out. */
enum mp_err	 mp_twofa_password_ok(struct mp_ctx *, const char *uid,
		    const char *pw, int *ok);
enum mp_err	 mp_twofa_policy_set(struct mp_ctx *, int required,
		    int grace_days);
/* The otpauth:// URI an authenticator app reads from the QR code. */
char		*mp_twofa_uri(struct mp_arena *, const char *issuer,
		    const char *email, const char *secret);
/* <img> data: URI of the QR code of uri, or NULL if it does not fit. */
char		*mp_twofa_qr_data_uri(struct mp_arena *, const char *uri);

extern const struct mp_stmt_table	 mp_twofa_store_st, mp_twofa_keys_st,
				 mp_twofa_login_st;

/* pages.c: /account/security and its forms. */
enum mp_err	 mp_twofa_page(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_twofa_setup_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_twofa_enable_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_twofa_disable_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_twofa_codes_form(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_twofa_policy_form(struct mp_req *, struct mp_resp *);

/* login.c: the second step of signing in. */
const char	*mp_twofa_device(struct mp_req *, const char *uid);
enum mp_err	 mp_twofa_challenge(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_twofa_answer(struct mp_req *, struct mp_resp *);

/* api.c: /api/2fa/... */
enum mp_err	 mp_api_twofa_status(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_twofa_setup(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_twofa_verify(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_twofa_disable(struct mp_req *, struct mp_resp *);
enum mp_err	 mp_api_twofa_codes(struct mp_req *, struct mp_resp *);

/* Settings (twofa.c has the keys, defaults and ranges). */
struct mp_twofa_conf {
	char	*twofa_key;		/* 64 hex digits, or empty */
	int	 twofa_pending_ttl;	/* seconds for the second step */
	int	 twofa_max_failures;	/* per account ... */
	int	 twofa_max_failures_device;	/* ... and per device ... */
	int	 twofa_window;		/* ... in this many seconds */
	int	 twofa_remember_days;
};

extern const struct mp_confsec	 mp_twofa_confsec;
#define mp_twofa_conf(cfg) ((const struct mp_twofa_conf *) \
	mp_config_sec((cfg), &mp_twofa_confsec))

#endif
