/*
 * thumb: `make bench` helper.  Time and peak memory of img_process() on
 * one photo (thumbnail and display size, as uploads do), next to
 * vipsthumbnail making the display size of the same file, best of 5.
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "img.h"

#define RUNS	5

static double	now_ms(void);
static double	run_vips(const char *, long *);

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* One vipsthumbnail run in a child; its peak RSS (KiB) in *rss. */
static double
run_vips(const char *file, long *rss)
{
	struct rusage	ru;
	double		t0;
	pid_t		pid;
	int		status;

	t0 = now_ms();
	if ((pid = fork()) == 0) {
		execlp("vipsthumbnail", "vipsthumbnail", file, "--size",
		    "1600", "-o", "/tmp/thumb-bench-vips.jpg[Q=82]",
		    (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || wait4(pid, &status, 0, &ru) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return (-1);
	*rss = ru.ru_maxrss;
	return (now_ms() - t0);
}

int
main(int argc, char **argv)
{
	struct img_result	 r;
	struct rusage		 ru;
	FILE			*fp;
	unsigned char		*data;
	double			 t, best, vbest;
	long			 len, vrss, rss;
	int			 i;

	if (argc != 2 || sodium_init() == -1)
		return (2);
	img_init();
	if ((fp = fopen(argv[1], "rb")) == NULL)
		return (1);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	data = malloc(len);
	if (fread(data, 1, len, fp) != (size_t)len)
		return (1);
	fclose(fp);

	best = 1e9;
	for (i = 0; i < RUNS; i++) {
		t = now_ms();
		if (img_process(data, len, &r) != IMG_OK)
			return (1);
		t = now_ms() - t;
		if (t < best)
			best = t;
		img_result_free(&r);
	}
	getrusage(RUSAGE_SELF, &ru);

	vbest = 1e9;
	rss = 0;
	for (i = 0; i < RUNS; i++) {
		vrss = 0;
		if ((t = run_vips(argv[1], &vrss)) < 0) {
			printf("thumbnail: vipsthumbnail failed\n");
			return (0);
		}
		if (t < vbest)
			vbest = t;
		if (vrss > rss)
			rss = vrss;
	}
	printf("thumbnail of a %ld-byte 4000x3000 JPEG: img.c %.0f ms, "
	    "peak %ld MiB (thumb + display); vipsthumbnail %.0f ms, peak "
	    "%ld MiB (display only); %.2f x its time (goal <= 2)\n", len,
	    best, ru.ru_maxrss / 1024, vbest, rss / 1024, best / vbest);
	free(data);
	return (0);
}
