/*
 * test_buf: unit tests for app/buf.c.  Built with ASan/UBSan; see
 * tests/unit/unit.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "unit.h"

int	main(void);

int
main(void)
{
	struct buf	 b;
	char		*s;
	size_t		 len;

	/* An empty buffer released is "" (the kept project list once read
	   past a 256-byte block: AddressSanitizer in the e2e server). */
	buf_init(&b);
	s = buf_release(&b, &len);
	CHECK(s != NULL && len == 0, "empty release: length 0");
	CHECK(strlen(s) == 0, "empty release: NUL-terminated");
	free(s);

	buf_init(&b);
	buf_appends(&b, "abc");
	buf_reset(&b);
	s = buf_release(&b, &len);
	CHECK(len == 0 && s[0] == '\0', "release after reset: \"\"");
	free(s);

	buf_init(&b);
	buf_append(&b, "hello", 5);
	s = buf_release(&b, &len);
	CHECK(len == 5, "release: length");
	CHECK_STR(s, "hello", "release: text, NUL-terminated");
	CHECK(b.data == NULL && b.len == 0, "release: the buffer is new");
	free(s);
	UNIT_DONE("test_buf");
}
