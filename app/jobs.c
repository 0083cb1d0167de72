/*
 * jobs.c: CPU-heavy work (password hashing, image decoding) in one
 * thread per worker, handed over without a lock the event loop could
 * wait on.
 *
 * Kore's own tasks guard their state with a rwlock that both threads
 * take, and the task thread closes its end of the pipe, which wakes the
 * event loop, while it still holds that lock.  The job thread runs at
 * nice 19 so that pages keep the CPU; the woken event loop preempts it
 * at once, then blocks on the lock until the scheduler gets round to the
 * nice-19 thread again.  Measured (perf sched): event loop stalls of
 * 8-19 ms in futex waits at the end of each upload or login, which is
 * where the page p99 went during uploads and login bursts.
 *
 * Here the two threads share only two single-producer, single-consumer
 * rings of jobs (struct job, app/app.h) and two eventfds: the event
 * loop pushes a job and writes the first; the job thread runs job->fn,
 * pushes the job back and writes the second, which the event loop
 * watches like any socket, and calls its done().  Jobs know nothing of
 * requests.  Neither side ever waits for the other.
 *
 * One thread per worker: each Argon2id hash sweeps 19 MiB, and four at
 * once on two cores (two per worker) pushed the page p99 to 3-5x during
 * a login burst; with one it stayed within 1.3-1.6x (make bench).
 *
 * The queue is bounded: at most JOBS_MAX jobs queued or running per
 * worker, and the jobs waiting may hold at most JOBS_HELD_MAX bytes of
 * request data between them (a photo waits with its bytes).  A job that
 * does not fit is refused at once: rq_task_start() answers 503 "busy"
 * with a Retry-After estimated from how long jobs take here, so a burst
 * of logins or uploads costs the worker a known amount of memory and
 * makes nobody wait longer than JOBS_MAX jobs' time.
 *
 * Memory goes back to the system when a large job is done: large blocks
 * are always mmap()ed (a fixed M_MMAP_THRESHOLD, see jobs_worker_init()),
 * and the job thread trims the heaps after a job that held or decoded
 * megabytes (jobs_thread()).
 */
#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "app.h"

/* Jobs queued or running per worker; more are refused (503). */
#define JOBS_MAX	32
/* Request bytes the queued jobs may hold (photos, spooled bodies). */
#define JOBS_HELD_MAX	(64UL * 1024 * 1024)
/* A job holding this much (or RQ_TASK_BIG) trims the heaps after. */
#define JOBS_TRIM_MIN	(1024 * 1024)
/* Large blocks are mmap()ed, so freeing them gives them back. */
#define JOBS_MMAP_MIN	(256 * 1024)
/* Free memory at the top of a heap beyond this is given back. */
#define JOBS_TRIM_PAD	(4 * 1024 * 1024)
/* Each ring holds every job in flight. */
#define JOBS_RING	JOBS_MAX

struct ring {
	_Atomic size_t	 head;		/* next slot written: the producer's */
	_Atomic size_t	 tail;		/* next slot read: the consumer's */
	struct job	*item[JOBS_RING];
};

static struct ring	to_thread;	/* event loop -> job thread */
static struct ring	to_loop;	/* job thread -> event loop */
static int		submit_fd = -1;	/* wakes the job thread */
static int		done_fd = -1;	/* wakes the event loop */
static struct kore_event done_evt;
static u_int32_t	in_flight;	/* pushed, not yet taken back */
static size_t		held_bytes;	/* what the jobs in flight hold */
static u_int64_t	job_avg_us = 50000;	/* recent job time */

static int	ring_push(struct ring *, struct job *);
static struct job *ring_pop(struct ring *);
static void	*jobs_thread(void *);
static void	jobs_done(void *, int);
static void	eventfd_poke(int);
static u_int64_t jobs_now_us(void);

/* Called once per worker (kore_worker_configure). */
void
jobs_worker_init(void)
{
	pthread_t	tid;

	/*
	 * glibc raises its mmap threshold to the size of the largest block
	 * freed (up to 32 MiB), after which a 10 MB photo or an inflated
	 * PNG comes from a heap that only shrinks from the top.  Fixed
	 * thresholds switch that off: such blocks are mapped and unmapped.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, JOBS_MMAP_MIN);
	(void)mallopt(M_TRIM_THRESHOLD, JOBS_TRIM_PAD);
	if ((submit_fd = eventfd(0, EFD_CLOEXEC)) == -1 ||
	    (done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		fatal("jobs: eventfd: %s", errno_s);
	if (pthread_create(&tid, NULL, jobs_thread, NULL) != 0)
		fatal("jobs: cannot start the job thread");
	(void)pthread_detach(tid);

	done_evt.type = KORE_TYPE_TASK;
	done_evt.handle = jobs_done;
	kore_platform_schedule_read(done_fd, &done_evt);
}

/*
 * Run job->fn(job->arg) in the job thread, then job->done(job) on the
 * event loop; job->held is what the job keeps allocated while it waits
 * (JOBS_HELD_MAX), job->flags JOB_*.  0 when the queue is full: the
 * caller answers 503 (rq_task_start()).  A job alone in the queue is
 * always taken, however much it holds.
 */
int
jobs_submit(struct job *job)
{
	if (in_flight >= JOBS_MAX ||
	    (in_flight > 0 && held_bytes + job->held > JOBS_HELD_MAX))
		return (0);
	job->us = 0;
	if (!ring_push(&to_thread, job))
		return (0);	/* cannot happen: in_flight < JOBS_RING */
	in_flight++;
	held_bytes += job->held;
	eventfd_poke(submit_fd);
	return (1);
}

/*
 * Seconds until the queue has room again, as far as this worker can
 * tell: what is queued times the recent time per job; 1 to 60.
 */
int
jobs_retry_after(void)
{
	u_int64_t	s;

	s = (in_flight * job_avg_us + 999999) / 1000000;
	return (s < 1 ? 1 : s > 60 ? 60 : (int)s);
}

/* Event loop: finished jobs come back to their owners. */
static void
jobs_done(void *arg, int error)
{
	struct job	*job;
	uint64_t	 n;

	(void)arg;
	if (error)
		fatal("jobs: the done eventfd failed");
	/* Reset the counter first: a later poke makes a new edge. */
	(void)read(done_fd, &n, sizeof(n));
	while ((job = ring_pop(&to_loop)) != NULL) {
		in_flight--;
		held_bytes -= job->held;
		job_avg_us = (job_avg_us * 7 + job->us) / 8;
		job->done(job);
	}
}

/*
 * The job thread: no Kore calls, and only the struct job, which nobody
 * else touches while it is in flight.
 *
 * After a job that held or decoded megabytes, malloc_trim() hands the
 * free pages of every heap back (madvise): the fixed thresholds return
 * large blocks and free space at a heap's top, not the holes that a
 * decoded image's rows or a parsed body leave between blocks still in
 * use.  It runs here, off the event loop; it takes each heap's lock in
 * turn for the time of its walk: 0.2-1.7 ms for all of them after a
 * photo upload, measured.  A worker that had decoded a 19-megapixel
 * palette PNG kept 20 MB before the fixed thresholds and the trim, 1 MB
 * with them.
 */
static void *
jobs_thread(void *arg)
{
	struct job	*job;
	uint64_t	 n, t0;

	(void)arg;
	/*
	 * On Linux the nice value is per thread: who 0 is this thread.
	 * Measured with `make bench` (pages saturating both cores, 20
	 * clients logging in without pause): at nice 10 logins kept 20/s
	 * but the page p99 doubled; at 15, 8-22 logins/s and the page p99
	 * within 1-2x, but 5x in one run; at 19 the page p99 does not move
	 * and logins slow down only while pages use all the CPU.
	 */
	(void)setpriority(PRIO_PROCESS, 0, 19);
	for (;;) {
		while ((job = ring_pop(&to_thread)) != NULL) {
			t0 = jobs_now_us();
			job->result = job->fn(job->arg);
			if (job->held >= JOBS_TRIM_MIN ||
			    (job->flags & JOB_BIG))
				(void)malloc_trim(0);
			job->us = jobs_now_us() - t0;
			if (!ring_push(&to_loop, job))
				abort();	/* cannot happen: in_flight */
			eventfd_poke(done_fd);
		}
		/* Blocks until the event loop pokes (or has poked). */
		if (read(submit_fd, &n, sizeof(n)) == -1 && errno != EINTR)
			abort();
	}
	return (NULL);
}

static u_int64_t
jobs_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((u_int64_t)ts.tv_sec * 1000000 + (u_int64_t)ts.tv_nsec / 1000);
}

static void
eventfd_poke(int fd)
{
	uint64_t	one = 1;

	while (write(fd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

/* Single producer, single consumer: the release publishes the slot. */
static int
ring_push(struct ring *r, struct job *job)
{
	size_t	h, t;

	h = atomic_load_explicit(&r->head, memory_order_relaxed);
	t = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (h - t == JOBS_RING)
		return (0);
	r->item[h % JOBS_RING] = job;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return (1);
}

static struct job *
ring_pop(struct ring *r)
{
	struct job	*job;
	size_t		 h, t;

	t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	h = atomic_load_explicit(&r->head, memory_order_acquire);
	if (t == h)
		return (NULL);
	job = r->item[t % JOBS_RING];
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return (job);
}
