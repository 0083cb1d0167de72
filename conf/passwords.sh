#!/bin/sh
# conf/passwords.sh: write the list of common and breached passwords that
# sign-up, password changes and resets refuse (app/pwcheck.c), one a
# line, lower case, 8-128 characters, sorted.  Its output is committed
# as assets/common-passwords.txt, so the server needs no package at run
# time; run it again only to change the list:
#
#   apt-get download john-data && dpkg-deb -x john-data_*.deb x
#   conf/passwords.sh x/usr/share/john/password.lst \
#       > assets/common-passwords.txt
#
# What goes in (NIST SP 800-63B 5.1.1.2: passwords from breach corpora,
# dictionary words, repetitive or sequential characters, context words):
#  - John the Ripper's password.lst (Debian john-data; public domain,
#    most common first): every entry, and every entry with one of the
#    suffixes people most often append ("password1", "monkey123",
#    "dragon2024", "woaini1314");
#  - well-known top entries of the large Chinese leaks (digit runs,
#    keyboard walks, pinyin), which our members are likely to reuse;
#  - every date written YYYYMMDD from 1940 to 2029 (birthdays);
#  - a character repeated 8-12 times;
#  - the site's own words (makerspace, library, in English and pinyin).
# Comment lines start with '#' and are skipped by the loader.
set -eu

[ $# -eq 1 ] && [ -r "$1" ] || {
	echo "usage: $0 /usr/share/john/password.lst" >&2
	exit 2
}

cat <<'HEAD'
# Common and breached passwords: refused at sign-up, password change and
# reset (app/pwcheck.c).  Made by conf/passwords.sh; do not edit by hand.
HEAD

{
	grep -v '^#!comment' "$1"
	cat <<'LIST'
123456789
12345678
11111111
dearbook
00000000
123123123
1234567890
88888888
111111111
147258369
987654321
aaaaaaaa
1111111111
66666666
a123456789
11223344
1qaz2wsx
xiazhili
789456123
password
87654321
qqqqqqqq
000000000
qwertyuiop
qq123456
iloveyou
31415926
12344321
0000000000
asdfghjkl
1q2w3e4r
123456abc
abc123456
0123456789
123654789
12121212
qazwsxedc
abcd1234
12341234
110110110
asdasdasd
123456aa
22222222
123321123
abc12345
a12345678
123456123
a1234567
1234qwer
qwe123456
123456789a
aa123456
123123123123
5201314520
woaini1314
woaini520
1314520520
5845201314
zxcvbnm123
qweasdzxc
1qazxsw2
zaq12wsx
qwer1234
asdf1234
zxcvbnma
passw0rd
p@ssw0rd
p@ssword
admin123
administrator
root1234
welcome1
letmein1
iloveyou1
wangyujie
zhang123
woaini
aini1314
makerspace
maker
library
tushuguan
chuangke
chuangkekongjian
LIST
} | tr 'A-Z' 'a-z' | awk '
BEGIN {
	n = split("1 12 123 1234 12345 123456 ! 1! 01 11 520 1314 666 888 " \
	    "2023 2024 2025", suffix, " ");
}
{
	sub(/\r$/, "");
	if ($0 == "")
		next;
	print;
	for (i = 1; i <= n; i++)
		print $0 suffix[i];
}
END {
	split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ");
	for (y = 1940; y <= 2029; y++) {
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (m = 1; m <= 12; m++) {
			d = mdays[m] + (m == 2 && leap);
			for (day = 1; day <= d; day++)
				printf "%04d%02d%02d\n", y, m, day;
		}
	}
	c = "0123456789abcdefghijklmnopqrstuvwxyz";
	for (i = 1; i <= length(c); i++) {
		s = "";
		for (k = 1; k <= 12; k++) {
			s = s substr(c, i, 1);
			if (k >= 8)
				print s;
		}
	}
}' | awk 'length($0) >= 8 && length($0) <= 128' | LC_ALL=C sort -u
