/*
 * comp.h: what comp.c (competitions and entries) and comp_judge.c
 * (judges, assignment, scoring) share.
 */
#ifndef MAKERSPACE_COMP_H
#define MAKERSPACE_COMP_H


int64_t		 comp_path_id(struct rq *);
int		 comp_id_prepare(struct rq *);
int		 comp_actor_prepare(struct rq *);
int		 comp_reply_sql_error(struct rq *);
int		 comp_sql_refusal(struct rq *, const char **, const char **,
		    char *, size_t);
int		 comp_written_respond(struct rq *);
char		*comp_countdown(struct rq *, json_int_t);
json_t		*comp_form_rows(json_t *, json_t *);
void		 comp_labels(struct rq *, json_t *);
int		 comp_doc_respond(struct rq *);
json_t		*comp_form_new(void);
int		 comp_criteria_json(struct rq *, json_t *);
int		 comp_awards_json(struct rq *, json_t *);
char		*comp_team(struct rq *);

/* comp_pages.c: the pages browsers read most, kept per worker */
#define COMP_KEPT_PAGE		0	/* GET /competitions/{id} */
#define COMP_KEPT_JUDGING	1	/* GET /judging */
#define COMP_KEPT_SCORE		2	/* GET /entries/{id}/score */
int		 comp_kept_prepare(struct rq *, int);
int		 comp_kept_respond(struct rq *, int);

/* comp_again.c: refused browser forms shown again as the form */
int		 comp_again(struct rq *, int, const char *, const char *,
		    int);
int		 comp_refused(struct rq *);

#endif
