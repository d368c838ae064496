/* The daily signed checkpoint of each tenant's chain head: Ed25519 over a short text, verifiable with openssl alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "features/audit/extern.h"

enum { CK_HEAD, CK_LAST, CK_INSERT, CK__MAX };

static const struct mp_stmt stmts[] = {
	[CK_HEAD] = { "audit_ck_head",
	    "SELECT seq, encode(row_hash, 'hex') FROM audit_logs"
	    " ORDER BY seq DESC LIMIT 1", MP_STMT_READ },
	[CK_LAST] = { "audit_ck_last",
	    "SELECT seq FROM audit_checkpoints ORDER BY id DESC LIMIT 1",
	    MP_STMT_READ },
	[CK_INSERT] = { "audit_ck_insert",
	    "INSERT INTO audit_checkpoints (tenant_id, seq, head_hash,"
	    " payload, signature, key_id) VALUES (mp_tenant(), $1::bigint,"
	    " decode($2, 'hex'), $3, $4, $5)" },
};

_Static_assert(MP_NELEM(stmts) == CK__MAX, "checkpoint statements and enum differ");

MP_STMT_TABLE(mp_audit_checkpoint_st, stmts);

/*
 * Sign msg with the Ed25519 key in the PEM file path.  On success sig
 * holds the 64-byte signature and keyid the first 16 bytes (hex) of
 * SHA-256 of the public key's DER form.  Returns 0, or -1 with the
 * reason logged.
 */
static int
sign(const char *path, const char *msg, unsigned char sig[64],
    char keyid[33])
{
	EVP_PKEY	*key = NULL;
	EVP_MD_CTX	*md = NULL;
	unsigned char	*der = NULL, h[32];
	size_t		 siglen = 64;
	FILE		*fp;
	int		 n, i, rc = -1;

	if ((fp = fopen(path, "r")) == NULL) {
		mp_error("audit.checkpoint: %s: %s", path, strerror(errno));
		return -1;
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		mp_error("audit.checkpoint: %s is not an Ed25519 private key "
		    "in PEM", path);
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)msg,
	    strlen(msg)) != 1 || siglen != 64) {
		mp_error("audit.checkpoint: signing failed");
		goto out;
	}
	if ((n = i2d_PUBKEY(key, &der)) <= 0)
		goto out;
	mp_sha256(der, (size_t)n, h);
	for (i = 0; i < 16; i++)
		snprintf(keyid + 2 * i, 3, "%02x", h[i]);
	rc = 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return rc;
}

/* Write len bytes to dir/name through a temporary file and rename. */
static int
put_file(struct mp_arena *a, const char *dir, const char *name,
    const void *data, size_t len)
{
	const char	*tmp = mp_printf(a, "%s/.%s.tmp", dir, name);
	const char	*dst = mp_printf(a, "%s/%s", dir, name);
	int		 fd, ok;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		mp_error("audit.checkpoint: %s: %s", tmp, strerror(errno));
		return -1;
	}
	ok = write(fd, data, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, dst) != 0) {
		mp_error("audit.checkpoint: %s: %s", dst, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * The audit.checkpoint job, daily per tenant: sign the chain's head (seq
 * and row hash) unless the newest checkpoint already has that seq, store
 * it in audit_checkpoints, and, with audit_checkpoint_dir set, write
 * <slug>-<seq>.txt (the exact signed text) and <slug>-<seq>.sig (the raw
 * 64-byte signature) there for `openssl pkeyutl -verify` (docs).  No key
 * configured: nothing to do.
 */
enum mp_err
mp_audit_job_checkpoint(struct mp_job *j)
{
	const struct mp_audit_conf *conf = mp_audit_conf(j->ctx.cfg);
	struct mp_ctx		*c = &j->ctx;
	struct mp_res		*head, *last;
	unsigned char		 sig[64];
	char			 keyid[33];
	const char		*p[5], *seq, *msg, *base;
	enum mp_err		 rc;

	if (conf->audit_signing_key == NULL || conf->audit_signing_key[0] ==
	    '\0')
		return MP_OK;
	if ((rc = mp_tenant_fill(c)) != MP_OK ||
	    (rc = mp_q(c, &stmts[CK_HEAD], 0, NULL, &head)) != MP_OK ||
	    (rc = mp_q(c, &stmts[CK_LAST], 0, NULL, &last)) != MP_OK)
		return rc;
	if (mp_res_rows(head) == 0)
		return MP_OK;
	seq = mp_res_get(head, 0, 0);
	if (mp_res_rows(last) == 1 && strcmp(mp_res_get(last, 0, 0), seq) == 0)
		return MP_OK;
	msg = mp_printf(c->a, "mpanel audit checkpoint v1\n"
	    "tenant: %s\ntenant_id: %s\nseq: %s\nhead: %s\nat: %s\n",
	    c->tenant->slug, c->tenant->id_text, seq, mp_res_get(head, 0, 1),
	    mp_time_utc(c->a, (int64_t)time(NULL)));
	if (sign(conf->audit_signing_key, msg, sig, keyid) != 0) {
		j->permanent = 1;
		j->error = "the signing key could not be used";
		return MP_ESYS;
	}
	p[0] = seq;
	p[1] = mp_res_get(head, 0, 1);
	p[2] = msg;
	p[3] = mp_base64(c->a, sig, sizeof(sig));
	p[4] = keyid;
	if ((rc = mp_q(c, &stmts[CK_INSERT], 5, p, NULL)) != MP_OK)
		return rc;
	if (conf->audit_checkpoint_dir != NULL &&
	    conf->audit_checkpoint_dir[0] != '\0') {
		base = mp_printf(c->a, "%s-%s", c->tenant->slug, seq);
		if (put_file(c->a, conf->audit_checkpoint_dir,
		    mp_printf(c->a, "%s.txt", base), msg, strlen(msg)) != 0 ||
		    put_file(c->a, conf->audit_checkpoint_dir,
		    mp_printf(c->a, "%s.sig", base), sig, sizeof(sig)) != 0) {
			j->error = "the checkpoint files could not be written";
			return MP_ESYS;
		}
	}
	mp_info("audit.checkpoint: %s head %s signed (key %s)",
	    c->tenant->slug, seq, keyid);
	return MP_OK;
}
