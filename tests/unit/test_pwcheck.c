/*
 * test_pwcheck: unit tests for app/pwcheck.c (NIST SP 800-63B password
 * rules and the list of common passwords), against the list the server
 * ships (assets/common-passwords.txt).  Run from the repository root.
 * Built with ASan/UBSan; see tests/unit/unit.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pwcheck.h"
#include "unit.h"

#define LIST_PATH	"assets/common-passwords.txt"
#define TOP_PATH	"tests/fixtures/passwords-top1000.txt"

static void	test_set(void);
static void	test_lengths(void);
static void	test_username(void);
static void	test_bad_text(void);
static void	test_common(struct pwcheck_list *);
static void	test_top1000(struct pwcheck_list *);
static void	test_random(struct pwcheck_list *);
static int	check(struct pwcheck_list *, const char *, const char *);
static void	random_password(char *, size_t, int);

static int
check(struct pwcheck_list *l, const char *pw, const char *user)
{
	return (pwcheck(l, pw, strlen(pw), user));
}

static void
test_set(void)
{
	struct pwcheck_list	*l;
	const char		*text;
	char			 word[32];
	size_t			 i, n;
	int			 all;

	l = pwcheck_list_new();
	CHECK(pwcheck_list_size(l) == 0, "a new list is empty");
	CHECK(!pwcheck_list_has(l, "x", 1), "an empty list has nothing");
	text = "# comment\nAlpha\r\n\nbeta\nALPHA\n#x\ngamma";
	n = pwcheck_list_parse(l, text, strlen(text));
	CHECK(n == 3, "parse: comments, blank lines and repeats skipped");
	CHECK(pwcheck_list_has(l, "alpha", 5), "stored lower-cased");
	CHECK(pwcheck_list_has(l, "ALPHA", 5), "looked up ignoring case");
	CHECK(pwcheck_list_has(l, "gamma", 5), "last line without LF");
	CHECK(!pwcheck_list_has(l, "#x", 2), "comment lines are not entries");
	CHECK(!pwcheck_list_has(l, "alph", 4), "a prefix is not an entry");
	CHECK(!pwcheck_list_has(l, "alphaa", 6), "nor a longer word");
	CHECK(pwcheck_list_add(l, "", 0) == -1, "empty entries are refused");

	/* Growing keeps every entry findable. */
	for (i = 0; i < 20000; i++) {
		(void)snprintf(word, sizeof(word), "w%zu", i * 7919);
		(void)pwcheck_list_add(l, word, strlen(word));
	}
	all = 1;
	for (i = 0; i < 20000; i++) {
		(void)snprintf(word, sizeof(word), "W%zu", i * 7919);
		if (!pwcheck_list_has(l, word, strlen(word)))
			all = 0;
	}
	CHECK(all, "20,000 entries after growing, all found");
	CHECK(pwcheck_list_size(l) == 20003, "size counts distinct entries");
	pwcheck_list_free(l);
	pwcheck_list_free(NULL);
}

static void
test_lengths(void)
{
	char	s[600];
	size_t	i;

	CHECK(check(NULL, "Ab1-xyz", NULL) == PWCHECK_LENGTH, "7 characters");
	CHECK(check(NULL, "Ab1-xyzq", NULL) == PWCHECK_OK, "8 characters");
	memset(s, 'k', 128);
	s[128] = '\0';
	CHECK(check(NULL, s, NULL) == PWCHECK_OK, "128 characters");
	s[128] = 'k';
	s[129] = '\0';
	CHECK(check(NULL, s, NULL) == PWCHECK_LENGTH, "129 characters");

	/* Characters, not bytes: 7 CJK characters are 21 bytes. */
	s[0] = '\0';
	for (i = 0; i < 7; i++)
		strcat(s, "密");
	CHECK(check(NULL, s, NULL) == PWCHECK_LENGTH,
	    "7 CJK characters (21 bytes) are too short");
	strcat(s, "码");
	CHECK(check(NULL, s, NULL) == PWCHECK_OK, "8 CJK characters");
	s[0] = '\0';
	for (i = 0; i < 128; i++)
		strcat(s, "码");
	CHECK(check(NULL, s, NULL) == PWCHECK_OK,
	    "128 CJK characters (384 bytes) are not too long");
	strcat(s, "码");
	CHECK(check(NULL, s, NULL) == PWCHECK_LENGTH, "129 CJK characters");
	CHECK(check(NULL, "with spaces in it", NULL) == PWCHECK_OK,
	    "spaces are allowed");
}

static void
test_username(void)
{
	CHECK(check(NULL, "maker_one", "maker_one") == PWCHECK_USERNAME,
	    "equal to the username");
	CHECK(check(NULL, "MAKER_ONE", "maker_one") == PWCHECK_USERNAME,
	    "equal ignoring case");
	CHECK(check(NULL, "x-Maker_One-2024", "maker_one") == PWCHECK_USERNAME,
	    "containing the username, any case");
	CHECK(check(NULL, "maker_on3-long", "maker_one") == PWCHECK_OK,
	    "close to it is fine");
	CHECK(check(NULL, "short-name-x", "") == PWCHECK_OK, "no username");
	CHECK(check(NULL, "abc", "abcdefghijk") == PWCHECK_LENGTH,
	    "length first");
}

static void
test_bad_text(void)
{
	CHECK(check(NULL, "tab\there-x", NULL) == PWCHECK_BAD_TEXT,
	    "control characters");
	CHECK(check(NULL, "line\nbreak-x", NULL) == PWCHECK_BAD_TEXT,
	    "line breaks");
	CHECK(check(NULL, "bad\xff\xfe utf8", NULL) == PWCHECK_BAD_TEXT,
	    "invalid UTF-8");
	CHECK(pwcheck(NULL, "nul\0inside-x", 12, NULL) == PWCHECK_BAD_TEXT,
	    "a NUL byte inside");
}

static void
test_common(struct pwcheck_list *l)
{
	static const char	*weak[] = { "password", "Password1",
	    "PASSWORD1", "password123", "12345678", "123456789", "qwertyuiop",
	    "iloveyou", "woaini1314", "Woaini520", "1qaz2wsx", "19900101",
	    "20080808", "88888888", "aaaaaaaa", "qq123456", "dragon2024",
	    "monkey123", "makerspace", "Library123", "letmein1", NULL };
	static const char	*fine[] = { "Pw-8a106bc598434338",
	    "Kx9-mPq2-vL7-zzT", "N3w-pass-word-9", "demo-password-123",
	    "correct horse battery staple", "我的密码很长很安全", "19901332",
	    "password-manager-pls", NULL };
	char			 what[128];
	size_t			 i;

	CHECK(pwcheck_list_size(l) > 50000, "the shipped list is loaded");
	for (i = 0; weak[i] != NULL; i++) {
		(void)snprintf(what, sizeof(what), "common: %s", weak[i]);
		CHECK(check(l, weak[i], "someone") == PWCHECK_COMMON, what);
	}
	for (i = 0; fine[i] != NULL; i++) {
		(void)snprintf(what, sizeof(what), "accepted: %s", fine[i]);
		CHECK(check(l, fine[i], "someone") == PWCHECK_OK, what);
	}
}

/* The 1,000 most common passwords: every one is refused. */
static void
test_top1000(struct pwcheck_list *l)
{
	FILE	*fp;
	char	 line[256], what[300];
	size_t	 n, len, refused;
	int	 r;

	if ((fp = fopen(TOP_PATH, "r")) == NULL) {
		CHECK(0, "open " TOP_PATH);
		return;
	}
	n = refused = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		n++;
		r = pwcheck(l, line, len, "someone");
		if (r == PWCHECK_LENGTH || r == PWCHECK_COMMON) {
			refused++;
		} else {
			(void)snprintf(what, sizeof(what),
			    "common password refused: %s", line);
			CHECK(0, what);
		}
	}
	fclose(fp);
	CHECK(n == 1000, "the fixture holds 1,000 passwords");
	CHECK(refused == n, "all 1,000 most common passwords are refused");
}

/*
 * kind 0: printable ASCII and space; 1: "Pw-" and hex, as in the issue
 * (cracklib refused about 2.5% of these); 2: CJK and ASCII mixed.
 */
static void
random_password(char *out, size_t outlen, int kind)
{
	static const char	 hex[] = "0123456789abcdef";
	static const char	*cjk[] = { "创", "客", "空", "间", "图", "书",
	    "馆", "打", "印", "机", "激", "光", "电", "子", "焊", "接" };
	size_t			 chars, i, o;

	o = 0;
	if (kind == 1) {
		memcpy(out, "Pw-", 3);
		for (o = 3; o < 19; o++)
			out[o] = hex[randombytes_uniform(16)];
		out[o] = '\0';
		return;
	}
	chars = 12 + randombytes_uniform(13);	/* 12-24 */
	for (i = 0; i < chars && o + 4 < outlen; i++) {
		if (kind == 2 && randombytes_uniform(2) == 0) {
			memcpy(out + o, cjk[randombytes_uniform(16)], 3);
			o += 3;
		} else {
			out[o++] = (char)(' ' + randombytes_uniform(95));
		}
	}
	out[o] = '\0';
}

/* 1,000 random passwords of each kind: none is refused. */
static void
test_random(struct pwcheck_list *l)
{
	char	pw[128], what[200];
	int	kind, i, r, ok;

	for (kind = 0; kind < 3; kind++) {
		ok = 0;
		for (i = 0; i < 1000; i++) {
			random_password(pw, sizeof(pw), kind);
			r = pwcheck(l, pw, strlen(pw), "maker_test_user");
			if (r == PWCHECK_OK) {
				ok++;
				continue;
			}
			(void)snprintf(what, sizeof(what),
			    "random password refused (%d): %s", r, pw);
			CHECK(0, what);
		}
		(void)snprintf(what, sizeof(what),
		    "1,000 random 12-24 character passwords of kind %d pass",
		    kind);
		CHECK(ok == 1000, what);
	}
}

int
main(void)
{
	struct pwcheck_list	*l;
	char			 err[256];
	long			 n;

	if (sodium_init() == -1)
		return (1);
	test_set();
	test_lengths();
	test_username();
	test_bad_text();

	l = pwcheck_list_new();
	n = pwcheck_list_load(l, LIST_PATH, err, sizeof(err));
	CHECK(n > 0, "load " LIST_PATH);
	CHECK(pwcheck_list_load(l, "no/such/file", err, sizeof(err)) == -1,
	    "a missing file is an error");
	test_common(l);
	test_top1000(l);
	test_random(l);
	pwcheck_list_free(l);
	UNIT_DONE("test_pwcheck");
}
