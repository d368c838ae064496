/* The one table mapping error codes to HTTP status, JSON code, message. */
#include "core/extern.h"

struct errinfo {
	int		 http;
	const char	*code;
	const char	*message;
};

static const struct errinfo errs[] = {
	[MP_OK] = { 200, "ok", "The request succeeded." },
	[MP_EINPUT] = { 400, "invalid_request",
	    "The request was not valid. Please check what you entered." },
	[MP_ENOTFOUND] = { 404, "not_found",
	    "We could not find what you were looking for." },
	[MP_EAUTH] = { 401, "unauthorized",
	    "Please sign in to continue." },
	[MP_EFORBID] = { 403, "forbidden",
	    "You are not allowed to do that." },
	[MP_ECONFLICT] = { 409, "conflict",
	    "That has already been done or conflicts with existing data." },
	[MP_ELIMIT] = { 413, "too_large",
	    "The request was too large." },
	[MP_ERATE] = { 429, "rate_limited",
	    "Too many requests. Please wait and try again." },
	[MP_EDB] = { 503, "unavailable",
	    "The service is temporarily unavailable. Please try again soon." },
	[MP_EUPSTREAM] = { 502, "upstream_error",
	    "A service we depend on failed. Please try again later." },
	[MP_ESYS] = { 500, "internal_error",
	    "Something went wrong on our side. Please try again later." },
};

_Static_assert(sizeof(errs) / sizeof(errs[0]) == MP_ERR__MAX,
    "errs[] must have one entry per enum mp_err");

/* Out-of-range values are treated as MP_ESYS: an unknown error is ours. */
static const struct errinfo *
lookup(enum mp_err e)
{

	if ((unsigned)e >= MP_ERR__MAX)
		e = MP_ESYS;
	return &errs[e];
}

int
mp_err_http(enum mp_err e)
{

	return lookup(e)->http;
}

const char *
mp_err_code(enum mp_err e)
{

	return lookup(e)->code;
}

const char *
mp_err_message(enum mp_err e)
{

	return lookup(e)->message;
}
