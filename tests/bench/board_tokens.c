/*
 * board_tokens: `make bench` helper for tests/bench/data_board.sql.
 *
 * The board's bench data is generated in SQL from a fixed list of
 * phrases (tests/bench/board_phrases.txt, lines "<kind><TAB><text>").
 * Search must find it exactly as it finds what people post, so the
 * index tokens of each phrase come from the real tokenizer (search.c),
 * not from an imitation in SQL.  Output, for psql's
 * `\copy ... FROM PROGRAM`, in COPY text format:
 *
 *	<kind> TAB <n> TAB <text> TAB <index tokens>
 *
 * n counts the lines of each kind from 0.  Joining two phrases with a
 * separator (a space, a blank line) gives the tokens of both joined by
 * a space, which is what the SQL does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search.h"

#define MAX_KINDS	8

static void	copy_field(const char *, size_t);

/* One field, escaped for COPY text format. */
static void
copy_field(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		default:
			putchar(s[i]);
			break;
		}
	}
}

int
main(int argc, char **argv)
{
	struct buf	 tokens;
	FILE		*f;
	char		*line, *tab, *kinds[MAX_KINDS];
	size_t		 cap, len, k, nkinds, count[MAX_KINDS];
	ssize_t		 n;

	if (argc != 2) {
		fprintf(stderr, "usage: board_tokens phrases.txt\n");
		return (2);
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return (1);
	}
	line = NULL;
	cap = 0;
	nkinds = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((tab = strchr(line, '\t')) == NULL) {
			fprintf(stderr, "%s: no kind: %s\n", argv[1], line);
			return (1);
		}
		*tab = '\0';
		for (k = 0; k < nkinds && strcmp(kinds[k], line) != 0; k++)
			;
		if (k == nkinds) {
			if (nkinds == MAX_KINDS ||
			    (kinds[k] = strdup(line)) == NULL) {
				fprintf(stderr, "%s: too many kinds\n",
				    argv[1]);
				return (1);
			}
			count[k] = 0;
			nkinds++;
		}
		buf_init(&tokens);
		(void)search_index_tokens(tab + 1, strlen(tab + 1), &tokens);
		copy_field(line, strlen(line));
		printf("\t%zu\t", count[k]++);
		copy_field(tab + 1, strlen(tab + 1));
		putchar('\t');
		copy_field(tokens.data ? tokens.data : "", tokens.len);
		putchar('\n');
		buf_free(&tokens);
	}
	free(line);
	for (k = 0; k < nkinds; k++)
		free(kinds[k]);
	fclose(f);
	return (ferror(stdout) ? 1 : 0);
}
