/*
 * test_device: unit tests for app/device.c (the browser and system a
 * User-Agent names) with User-Agents of real browsers and apps.  Built
 * with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "unit.h"

struct ua_case {
	const char	*ua;
	const char	*browser;	/* NULL: none recognised */
	const char	*os;
	const char	*what;
};

static const struct ua_case cases[] = {
	{ "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
	  "chrome", "android", "Chrome on Android" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
	  "MicroMessenger/8.0.49(0x18003130) NetType/WIFI Language/zh_CN",
	  "wechat", "iphone", "WeChat on iPhone (not Mac: 'like Mac OS X')" },
	{ "Mozilla/5.0 (Linux; Android 13; V2183A Build/TP1A.220624.014; wv) "
	  "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
	  "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
	  "MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560"
	  "(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN",
	  "wechat", "android", "WeChat on Android (not Chrome)" },
	{ "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, "
	  "like Gecko) Chrome/86.0.4240.198 Safari/537.36 wxwork/4.1.22 "
	  "MicroMessenger/7.0.1 NetType/WIFI Language/zh",
	  "wecom", "windows", "WeCom on Windows (not WeChat)" },
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
	  "Safari/605.1.15", "safari", "mac", "Safari on Mac" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
	  "Mobile/15E148 Safari/604.1", "safari", "iphone",
	  "Safari on iPhone" },
	{ "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
	  "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
	  "safari", "ipad", "Safari on iPad" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 "
	  "Mobile/15E148 Safari/604.1", "chrome", "iphone",
	  "Chrome on iPhone (CriOS, not Safari)" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 "
	  "Mobile/15E148 Safari/605.1.15", "firefox", "iphone",
	  "Firefox on iPhone" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
	  "edge", "windows", "Edge on Windows (not Chrome)" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	  "chrome", "windows", "Chrome on Windows (not Safari)" },
	{ "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) "
	  "Gecko/20100101 Firefox/127.0", "firefox", "linux",
	  "Firefox on Linux" },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	  "Gecko) HeadlessChrome/126.0.6478.126 Safari/537.36",
	  "chrome", "linux", "headless Chrome on Linux" },
	{ "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	  "chrome", "chromeos", "Chrome on ChromeOS" },
	{ "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore "
	  "6.13.0.302) AppleWebKit/537.36 (KHTML, like Gecko) "
	  "Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile "
	  "Safari/537.36", "huawei", "harmonyos",
	  "Huawei's browser on HarmonyOS (not Chrome on Android)" },
	{ "Mozilla/5.0 (Linux; U; Android 13; zh-cn; PGBM10 Build/TP1A) "
	  "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
	  "Chrome/109.0.5414.86 MQQBrowser/14.8 Mobile Safari/537.36",
	  "qqbrowser", "android", "QQ Browser on Android" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
	  "QQ/9.0.60.624 V1_IPH_SQ_9.0.60_1_APP_A Pixel/1170 Core/WKWebView "
	  "Device/Apple(iPhone 13) NetType/WIFI QBWebViewType/1",
	  "qq", "iphone", "the QQ app on iPhone" },
	{ "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile "
	  "Safari/537.36", "samsung", "android", "Samsung Internet" },
	{ "Mozilla/5.0 (Linux; U; Android 12; zh-CN; 22041211AC Build/SP1A) "
	  "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
	  "Chrome/100.0.4896.58 UCBrowser/16.6.5.1304 Mobile Safari/537.36",
	  "uc", "android", "UC Browser on Android" },
	{ "Mozilla/5.0 (Linux; Android 13; M2012K11AC) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/110.0 Mobile Safari/537.36 "
	  "AliApp(DingTalk/7.5.10) com.alibaba.android.rimet",
	  "dingtalk", "android", "DingTalk on Android" },
	{ "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like "
	  "Gecko", "ie", "windows", "Internet Explorer 11" },
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
	  "opera", "windows", "Opera on Windows" },
	{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, "
	  "like Gecko) Version/17.0 Safari/605.1.15 Epiphany/46",
	  NULL, "linux", "WebKit's 'Safari' token off Apple's systems: no "
	  "browser named" },
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	  NULL, "iphone", "an app's web view on iPhone: the system only" },
	{ "curl/8.5.0", NULL, NULL, "curl: nothing" },
	{ "node", NULL, NULL, "node's fetch: nothing" },
	{ "", NULL, NULL, "empty: nothing" },
	{ "Android iPhone Windows", NULL, "iphone",
	  "several systems: the first in precedence" },
};

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static void
test_cases(void)
{
	struct device	d;
	size_t		i;
	char		what[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		device_parse(cases[i].ua, strlen(cases[i].ua), &d);
		(void)snprintf(what, sizeof(what), "%s: browser %s",
		    cases[i].what, d.browser ? d.browser : "(none)");
		CHECK(same(d.browser, cases[i].browser), what);
		(void)snprintf(what, sizeof(what), "%s: system %s",
		    cases[i].what, d.os ? d.os : "(none)");
		CHECK(same(d.os, cases[i].os), what);
	}
}

static void
test_bounds(void)
{
	struct device	 d;
	char		*big;
	const char	*tail = "MicroMessenger/8.0 (iPhone)";

	device_parse(NULL, 0, &d);
	CHECK(d.browser == NULL && d.os == NULL, "NULL: nothing");

	/* Only len bytes are read: no NUL needed, nothing past them. */
	device_parse("Firefox/1 Linux", 9, &d);
	CHECK(same(d.browser, "firefox") && d.os == NULL,
	    "reads exactly len bytes");

	/* A token past DEVICE_UA_MAX is not seen. */
	big = malloc(DEVICE_UA_MAX + 64);
	memset(big, 'x', DEVICE_UA_MAX);
	memcpy(big + DEVICE_UA_MAX, tail, strlen(tail));
	device_parse(big, DEVICE_UA_MAX + strlen(tail), &d);
	CHECK(d.browser == NULL && d.os == NULL,
	    "nothing past DEVICE_UA_MAX is read");
	memcpy(big + DEVICE_UA_MAX - strlen(tail), tail, strlen(tail));
	device_parse(big, DEVICE_UA_MAX + strlen(tail), &d);
	CHECK(same(d.browser, "wechat") && same(d.os, "iphone"),
	    "a token ending at DEVICE_UA_MAX is seen");
	free(big);
}

static void
test_tidy(void)
{
	static const char *const tidy[][3] = {
		{ "iPhone 上的 微信", "iPhone 上的微信",
		    "the space between two Chinese words goes" },
		{ "Android 上的 Chrome", "Android 上的 Chrome",
		    "spaces beside Latin words stay" },
		{ "鸿蒙 上的 华为浏览器", "鸿蒙上的华为浏览器", "both go" },
		{ "Chrome on Android", "Chrome on Android", "English untouched" },
		{ "上的  微信", "上的  微信", "two spaces are not one" },
		{ " 微信 ", " 微信 ", "spaces at the ends stay" },
		{ "", "", "empty" },
		{ "\xe4\xb8 \xe4\xb8\x8a", "\xe4\xb8 \xe4\xb8\x8a",
		    "a cut character is not CJK" },
	};
	char	buf[64], what[128];
	size_t	i;

	for (i = 0; i < sizeof(tidy) / sizeof(tidy[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%s", tidy[i][0]);
		device_tidy(buf);
		(void)snprintf(what, sizeof(what), "tidy: %s", tidy[i][2]);
		CHECK_STR(buf, tidy[i][1], what);
	}
}

int
main(void)
{
	test_cases();
	test_bounds();
	test_tidy();
	UNIT_DONE("test_device");
}
