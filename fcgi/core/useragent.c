/* User-Agent parsing for the session list: browser and major version, OS, device type. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/extern.h"

static const char *const device_names[] = {
	[MP_DEV_DESKTOP] = "desktop",
	[MP_DEV_MOBILE] = "mobile",
	[MP_DEV_TABLET] = "tablet",
	[MP_DEV_BOT] = "bot",
};

_Static_assert(sizeof(device_names) / sizeof(device_names[0]) == MP_DEV__MAX,
    "device names and enum differ");

const char *
mp_device_name(enum mp_device d)
{
	return d < MP_DEV__MAX ? device_names[d] : "desktop";
}

/*
 * Browsers in the order they must be tested: a token that others also
 * carry comes after them (Edge and Opera say "Chrome", Chrome says
 * "Safari").  The version is the digits after the token.
 */
static const struct {
	const char	*token;
	const char	*name;
} browsers[] = {
	{ "Edg/", "Edge" },
	{ "EdgA/", "Edge" },
	{ "EdgiOS/", "Edge" },
	{ "Edge/", "Edge" },
	{ "OPR/", "Opera" },
	{ "OPiOS/", "Opera" },
	{ "Opera/", "Opera" },
	{ "SamsungBrowser/", "Samsung Internet" },
	{ "YaBrowser/", "Yandex Browser" },
	{ "Vivaldi/", "Vivaldi" },
	{ "Brave/", "Brave" },
	{ "UCBrowser/", "UC Browser" },
	{ "FxiOS/", "Firefox" },
	{ "CriOS/", "Chrome" },
	{ "Firefox/", "Firefox" },
	{ "Chromium/", "Chromium" },
	{ "HeadlessChrome/", "Headless Chrome" },
	{ "Chrome/", "Chrome" },
	{ "Version/", "Safari" },	/* with "Safari" checked below */
	{ "MSIE ", "Internet Explorer" },
	{ "Trident/", "Internet Explorer" },
	{ "curl/", "curl" },
	{ "Wget/", "Wget" },
	{ "python-requests/", "Python Requests" },
	{ "Go-http-client/", "Go HTTP client" },
};

static const char *const bot_tokens[] = {
	"bot", "crawler", "spider", "slurp", "facebookexternalhit",
	"bingpreview", "mediapartners", "lighthouse", "pingdom", "uptime",
};

static void
copy_version(char *dst, size_t dsz, const char *src)
{
	size_t	 n = 0;

	while (n + 1 < dsz && src[n] >= '0' && src[n] <= '9') {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}

static void
parse_os(const char *ua, struct mp_ua *u)
{
	const char	*p;

	if ((p = strstr(ua, "Windows NT ")) != NULL) {
		if (strncmp(p + 11, "10.0", 4) == 0)
			snprintf(u->os, sizeof(u->os), "Windows");
		else if (strncmp(p + 11, "6.3", 3) == 0)
			snprintf(u->os, sizeof(u->os), "Windows 8.1");
		else if (strncmp(p + 11, "6.2", 3) == 0)
			snprintf(u->os, sizeof(u->os), "Windows 8");
		else if (strncmp(p + 11, "6.1", 3) == 0)
			snprintf(u->os, sizeof(u->os), "Windows 7");
		else
			snprintf(u->os, sizeof(u->os), "Windows");
	} else if (strstr(ua, "Windows") != NULL)
		snprintf(u->os, sizeof(u->os), "Windows");
	else if (strstr(ua, "iPhone") != NULL || strstr(ua, "iPod") != NULL)
		snprintf(u->os, sizeof(u->os), "iOS");
	else if (strstr(ua, "iPad") != NULL)
		snprintf(u->os, sizeof(u->os), "iPadOS");
	else if ((p = strstr(ua, "Android")) != NULL) {
		char v[8];

		copy_version(v, sizeof(v), p[7] == ' ' ? p + 8 : p + 7);
		snprintf(u->os, sizeof(u->os), v[0] ? "Android %s" :
		    "Android%s", v);
	} else if (strstr(ua, "CrOS") != NULL)
		snprintf(u->os, sizeof(u->os), "ChromeOS");
	else if (strstr(ua, "Mac OS X") != NULL ||
	    strstr(ua, "Macintosh") != NULL)
		snprintf(u->os, sizeof(u->os), "macOS");
	else if (strstr(ua, "Linux") != NULL || strstr(ua, "X11") != NULL)
		snprintf(u->os, sizeof(u->os), "Linux");
	else if (strstr(ua, "FreeBSD") != NULL)
		snprintf(u->os, sizeof(u->os), "FreeBSD");
	else if (strstr(ua, "OpenBSD") != NULL)
		snprintf(u->os, sizeof(u->os), "OpenBSD");
	else
		snprintf(u->os, sizeof(u->os), "Unknown OS");
}

/*
 * Fill u from a User-Agent header (NULL or empty gives "Unknown
 * browser" on "Unknown OS", desktop).  Never fails; strings are
 * truncated to the fields' sizes.
 */
void
mp_ua_parse(const char *ua, struct mp_ua *u)
{
	const char	*p;
	size_t		 i;

	memset(u, 0, sizeof(*u));
	snprintf(u->browser, sizeof(u->browser), "Unknown browser");
	u->device = MP_DEV_DESKTOP;
	if (ua == NULL || *ua == '\0') {
		snprintf(u->os, sizeof(u->os), "Unknown OS");
		return;
	}
	parse_os(ua, u);
	for (i = 0; i < sizeof(browsers) / sizeof(browsers[0]); i++) {
		if ((p = strstr(ua, browsers[i].token)) == NULL)
			continue;
		if (strcmp(browsers[i].name, "Safari") == 0 &&
		    strstr(ua, "Safari") == NULL)
			continue;
		snprintf(u->browser, sizeof(u->browser), "%s",
		    browsers[i].name);
		if (strcmp(browsers[i].token, "Trident/") == 0) {
			/* Trident/7.0 is IE 11. */
			snprintf(u->version, sizeof(u->version), "%s",
			    p[8] == '7' ? "11" : "");
		} else
			copy_version(u->version, sizeof(u->version),
			    p + strlen(browsers[i].token));
		break;
	}
	for (i = 0; i < sizeof(bot_tokens) / sizeof(bot_tokens[0]); i++) {
		if (strcasestr(ua, bot_tokens[i]) != NULL) {
			u->device = MP_DEV_BOT;
			if (strcmp(u->browser, "Unknown browser") == 0 ||
			    strcmp(u->browser, "Chrome") == 0 ||
			    strcmp(u->browser, "Safari") == 0) {
				/* Name the bot: the token before the slash. */
				const char *b = strcasestr(ua, "compatible; ");
				size_t n;

				b = b ? b + 12 : ua;
				n = strcspn(b, "/;) ");
				if (n > 0 && n < sizeof(u->browser)) {
					memcpy(u->browser, b, n);
					u->browser[n] = '\0';
					copy_version(u->version,
					    sizeof(u->version), b[n] == '/' ?
					    b + n + 1 : "");
				}
			}
			return;
		}
	}
	if (strcmp(u->browser, "curl") == 0 || strcmp(u->browser, "Wget") == 0
	    || strcmp(u->browser, "Python Requests") == 0 ||
	    strcmp(u->browser, "Go HTTP client") == 0)
		u->device = MP_DEV_BOT;
	else if (strstr(ua, "iPad") != NULL || strstr(ua, "Tablet") != NULL ||
	    (strstr(ua, "Android") != NULL && strstr(ua, "Mobile") == NULL))
		u->device = MP_DEV_TABLET;
	else if (strstr(ua, "Mobile") != NULL || strstr(ua, "iPhone") != NULL ||
	    strstr(ua, "iPod") != NULL)
		u->device = MP_DEV_MOBILE;
}

/* A span of seconds as a person says it, in the arena. */
const char *
mp_ago(struct mp_arena *a, int64_t s)
{
	int64_t		 n;
	const char	*unit;

	if (s < 60)
		return "just now";
	if (s < 3600) {
		n = s / 60;
		unit = "minute";
	} else if (s < 86400) {
		n = s / 3600;
		unit = "hour";
	} else if (s < 86400 * 30) {
		n = s / 86400;
		unit = "day";
	} else if (s < 86400 * 365) {
		n = s / (86400 * 30);
		unit = "month";
	} else {
		n = s / (86400 * 365);
		unit = "year";
	}
	return mp_printf(a, "%lld %s%s ago", (long long)n, unit,
	    n == 1 ? "" : "s");
}
