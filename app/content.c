/*
 * content.c: what every feature that takes written text from people
 * shares: a Markdown field through the one pipeline (md.c), with the
 * mentions it found, and search tokens (search.c).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "md.h"
#include "search.h"

static int	content_blank(const char *);

static int
content_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return (0);
	}
	return (1);
}

/*
 * Renders body field name into *html (malloc()ed, the caller's; NULL
 * when the field is absent) and, when mentions is not NULL, a JSON array
 * of the lower-cased usernames it mentions outside code (malloc()ed, the
 * caller's).  0 with a field error when it is invalid.
 */
int
content_markdown(struct rq *rq, const char *name, int required, char **html,
    char **mentions)
{
	struct md_result	 md;
	const char		*v;
	json_t			*list;
	size_t			 i;

	*html = NULL;
	if (mentions != NULL)
		*mentions = NULL;
	if ((v = rq_text(rq, name, required, 0, (size_t)-1, 1)) == NULL)
		return (!required && !rq_has_errors(rq));
	if (required && content_blank(v)) {
		reply_field_error(rq, name, "errors.field.required");
		return (0);
	}
	if (md_render(v, strlen(v), &md) != 0) {
		reply_field_error(rq, name, "errors.body_too_large");
		return (0);
	}
	*html = md.html;
	md.html = NULL;
	if (mentions != NULL) {
		list = json_array();
		for (i = 0; i < md.nmentions; i++)
			json_array_append_new(list, json_string(md.mentions[i]));
		*mentions = json_dumps(list, JSON_COMPACT);
		json_decref(list);
	}
	md_result_free(&md);
	return (1);
}

/* Search tokens of text (malloc()ed, the caller's; "" for NULL). */
char *
content_tokens(const char *text)
{
	struct buf	tokens;

	buf_init(&tokens);
	if (text != NULL)
		(void)search_index_tokens(text, strlen(text), &tokens);
	buf_appends(&tokens, "");
	return (buf_release(&tokens, NULL));
}
