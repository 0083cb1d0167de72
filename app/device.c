/*
 * device.c: a User-Agent to a browser and a system.  Pure (libc only).
 *
 * User-Agents are a pile of tokens that copy each other (every Chrome
 * says "Safari", every iPhone says "like Mac OS X", WeChat's browser says
 * "Chrome" on Android), so each table is in order of precedence: the
 * first token found wins.  In-app browsers (WeChat, QQ, DingTalk, ...)
 * come first, then the browsers they are built on; systems whose
 * User-Agent names another (HarmonyOS says "Android", iOS says "Mac OS
 * X") before the one named.  Only the first DEVICE_UA_MAX bytes are
 * read; the header is text from the client, compared, never copied.
 */
#include <string.h>

#include "device.h"

struct device_token {
	const char	*token;
	const char	*id;
};

static const struct device_token device_browsers[] = {
	{ "wxwork/", "wecom" },			/* WeCom, says MicroMessenger */
	{ "MicroMessenger", "wechat" },
	{ "DingTalk", "dingtalk" },
	{ "AlipayClient", "alipay" },
	{ "Weibo", "weibo" },
	{ " QQ/", "qq" },			/* the QQ app */
	{ "QQBrowser", "qqbrowser" },		/* also MQQBrowser */
	{ "baiduboxapp", "baidu" },
	{ "Quark/", "quark" },
	{ "UCBrowser", "uc" },
	{ "UCWEB", "uc" },
	{ "HuaweiBrowser", "huawei" },
	{ "MiuiBrowser", "miui" },
	{ "SamsungBrowser", "samsung" },
	{ "EdgA/", "edge" },
	{ "EdgiOS/", "edge" },
	{ "Edg/", "edge" },
	{ "Edge/", "edge" },
	{ "OPR/", "opera" },
	{ "Opera", "opera" },
	{ "FxiOS/", "firefox" },
	{ "Firefox/", "firefox" },
	{ "CriOS/", "chrome" },
	{ "Chrome/", "chrome" },		/* also HeadlessChrome */
	{ "Chromium/", "chrome" },
	{ "Trident/", "ie" },
	{ "MSIE ", "ie" },
	{ NULL, NULL }
};

static const struct device_token device_systems[] = {
	{ "HarmonyOS", "harmonyos" },		/* says Android too */
	{ "OpenHarmony", "harmonyos" },
	{ "iPhone", "iphone" },			/* says Mac OS X too */
	{ "iPad", "ipad" },
	{ "iPod", "ipod" },
	{ "Android", "android" },
	{ "CrOS", "chromeos" },
	{ "Windows", "windows" },
	{ "Macintosh", "mac" },
	{ "Mac OS X", "mac" },
	{ "Linux", "linux" },
	{ NULL, NULL }
};

static const char	*device_find(const char *, size_t,
			    const struct device_token *);
static int		 device_cjk_before(const char *, const char *);
static int		 device_cjk_at(const char *);

static const char *
device_find(const char *ua, size_t len, const struct device_token *t)
{
	for (; t->token != NULL; t++) {
		if (memmem(ua, len, t->token, strlen(t->token)) != NULL)
			return (t->id);
	}
	return (NULL);
}

/*
 * Recognise the User-Agent ua (len bytes, need not be NUL-terminated;
 * NULL is none) into *d.  Safari names itself only as "Version/... Safari/"
 * (everything WebKit says "Safari/"), so it is recognised last, and only
 * on Apple's systems.
 */
void
device_parse(const char *ua, size_t len, struct device *d)
{
	d->browser = NULL;
	d->os = NULL;
	if (ua == NULL)
		return;
	if (len > DEVICE_UA_MAX)
		len = DEVICE_UA_MAX;
	d->os = device_find(ua, len, device_systems);
	d->browser = device_find(ua, len, device_browsers);
	if (d->browser == NULL && d->os != NULL &&
	    (!strcmp(d->os, "iphone") || !strcmp(d->os, "ipad") ||
	    !strcmp(d->os, "ipod") || !strcmp(d->os, "mac")) &&
	    memmem(ua, len, "Version/", 8) != NULL &&
	    memmem(ua, len, "Safari/", 7) != NULL)
		d->browser = "safari";
}

/* A CJK character (3 bytes in UTF-8: U+2E80..U+9FFF, U+F900..U+FFEF) at p. */
static int
device_cjk_at(const char *p)
{
	const unsigned char	*u = (const unsigned char *)p;
	unsigned int		 c;

	if ((u[0] & 0xf0) != 0xe0 || (u[1] & 0xc0) != 0x80 ||
	    (u[2] & 0xc0) != 0x80)
		return (0);
	c = ((u[0] & 0x0fU) << 12) | ((u[1] & 0x3fU) << 6) | (u[2] & 0x3fU);
	return ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xffef));
}

/* Is the character that ends right before p (s is the start) CJK? */
static int
device_cjk_before(const char *s, const char *p)
{
	return (p - s >= 3 && device_cjk_at(p - 3));
}

/*
 * Chinese sets Latin words apart with spaces but not Chinese ones: the
 * catalog says "{os} 上的 {browser}" for "Android 上的 Chrome", and this
 * drops each space between two CJK characters, in place ("iPhone 上的
 * 微信" -> "iPhone 上的微信").  s is a NUL-terminated UTF-8 string.
 */
void
device_tidy(char *s)
{
	char	*r, *w;

	for (r = w = s; *r != '\0'; r++) {
		if (*r == ' ' && device_cjk_before(s, w) &&
		    device_cjk_at(r + 1))
			continue;
		*w++ = *r;
	}
	*w = '\0';
}
