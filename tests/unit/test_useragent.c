/* Unit tests for the User-Agent parser over real browser, phone, tablet and bot strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/extern.h"

static const struct {
	const char	*ua;
	const char	*browser;
	const char	*version;
	const char	*os;
	enum mp_device	 device;
} corpus[] = {
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	  "Chrome", "120", "Windows", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
	  "Edge", "120", "Windows", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 "
	  "Firefox/121.0", "Firefox", "121", "Windows", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
	  "(KHTML, like Gecko) Version/17.2 Safari/605.1.15",
	  "Safari", "17", "macOS", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
	  "Opera", "105", "macOS", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) Chrome/118.0.0.0 Safari/537.36", "Chrome", "118", "Linux",
	  MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 "
	  "Firefox/115.0", "Firefox", "115", "Linux", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, "
	  "like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome", "120",
	  "ChromeOS", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 "
	  "Safari/604.1", "Safari", "17", "iOS", MP_DEV_MOBILE },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 "
	  "Mobile/15E148 Safari/604.1", "Chrome", "120", "iOS", MP_DEV_MOBILE },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/120.0 Mobile/15E148 "
	  "Safari/605.1.15", "Firefox", "120", "iOS", MP_DEV_MOBILE },
	{ "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
	  "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
	  "Safari", "17", "iPadOS", MP_DEV_TABLET },
	{ "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
	  "like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
	  "Chrome", "120", "Android 14", MP_DEV_MOBILE },
	{ "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, "
	  "like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile "
	  "Safari/537.36", "Samsung Internet", "23", "Android 13",
	  MP_DEV_MOBILE },
	{ "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, "
	  "like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome", "120",
	  "Android 13", MP_DEV_TABLET },
	{ "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
	  "Firefox", "121", "Android 14", MP_DEV_MOBILE },
	{ "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
	  "Internet Explorer", "11", "Windows 7", MP_DEV_DESKTOP },
	{ "Mozilla/5.0 (compatible; Googlebot/2.1; "
	  "+http://www.google.com/bot.html)", "Googlebot", "2", "Unknown OS",
	  MP_DEV_BOT },
	{ "Mozilla/5.0 (compatible; bingbot/2.0; "
	  "+http://www.bing.com/bingbot.htm)", "bingbot", "2", "Unknown OS",
	  MP_DEV_BOT },
	{ "curl/7.88.1", "curl", "7", "Unknown OS", MP_DEV_BOT },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", "Headless Chrome",
	  "120", "Linux", MP_DEV_DESKTOP },
};

static void
test_corpus(void **state)
{
	struct mp_ua	 u;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		mp_ua_parse(corpus[i].ua, &u);
		if (strcmp(u.browser, corpus[i].browser) != 0 ||
		    strcmp(u.version, corpus[i].version) != 0 ||
		    strcmp(u.os, corpus[i].os) != 0 ||
		    u.device != corpus[i].device)
			fail_msg("%s\n got %s %s on %s (%s)", corpus[i].ua,
			    u.browser, u.version, u.os,
			    mp_device_name(u.device));
	}
}

static void
test_empty_and_hostile(void **state)
{
	struct mp_ua	 u;
	char		 big[5000];

	(void)state;
	mp_ua_parse(NULL, &u);
	assert_string_equal(u.browser, "Unknown browser");
	assert_string_equal(u.os, "Unknown OS");
	assert_int_equal(u.device, MP_DEV_DESKTOP);
	mp_ua_parse("", &u);
	assert_string_equal(u.browser, "Unknown browser");
	/* A huge version number is cut to the field, never overflowed. */
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Chrome/", 7);
	mp_ua_parse(big, &u);
	assert_string_equal(u.browser, "Chrome");
	assert_int_equal(strlen(u.version), sizeof(u.version) - 1);
}

static void
test_ago(void **state)
{
	struct mp_arena	*a = mp_arena_new(0);

	(void)state;
	assert_string_equal(mp_ago(a, 0), "just now");
	assert_string_equal(mp_ago(a, 59), "just now");
	assert_string_equal(mp_ago(a, 60), "1 minute ago");
	assert_string_equal(mp_ago(a, 180), "3 minutes ago");
	assert_string_equal(mp_ago(a, 3600), "1 hour ago");
	assert_string_equal(mp_ago(a, 86400 * 2), "2 days ago");
	mp_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_empty_and_hostile),
		cmocka_unit_test(test_ago),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
