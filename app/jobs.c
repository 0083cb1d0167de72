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
 * rings of requests and two eventfds: the event loop pushes a request
 * and writes the first; the job thread runs rq->task_fn, pushes the
 * request back and writes the second, which the event loop watches like
 * any socket.  Neither side ever waits for the other.
 *
 * One thread per worker: each Argon2id hash sweeps 19 MiB, and four at
 * once on two cores (two per worker) pushed the page p99 to 3-5x during
 * a login burst; with one it stayed within 1.3-1.6x (make bench).
 */
#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "app.h"

/* Requests in flight per worker; more wait in a list (main thread's). */
#define JOBS_RING	256

struct ring {
	_Atomic size_t	 head;		/* next slot written: the producer's */
	_Atomic size_t	 tail;		/* next slot read: the consumer's */
	struct rq	*item[JOBS_RING];
};

static struct ring	to_thread;	/* event loop -> job thread */
static struct ring	to_loop;	/* job thread -> event loop */
static int		submit_fd = -1;	/* wakes the job thread */
static int		done_fd = -1;	/* wakes the event loop */
static struct kore_event done_evt;
static u_int32_t	in_flight;	/* pushed, not yet taken back */
static struct rq	*waiting_head;	/* over JOBS_RING, oldest first */
static struct rq	*waiting_tail;

static int	ring_push(struct ring *, struct rq *);
static struct rq *ring_pop(struct ring *);
static void	*jobs_thread(void *);
static void	jobs_done(void *, int);
static void	jobs_hand_over(struct rq *);
static void	eventfd_poke(int);

/* Called once per worker (kore_worker_configure). */
void
jobs_worker_init(void)
{
	pthread_t	tid;

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

/* Run rq->task_fn(rq->task_arg) in the job thread. */
void
jobs_submit(struct rq *rq)
{
	rq->job_next = NULL;
	if (in_flight < JOBS_RING && waiting_head == NULL) {
		jobs_hand_over(rq);
		return;
	}
	if (waiting_tail != NULL)
		waiting_tail->job_next = rq;
	else
		waiting_head = rq;
	waiting_tail = rq;
}

static void
jobs_hand_over(struct rq *rq)
{
	in_flight++;
	if (!ring_push(&to_thread, rq))
		fatal("jobs: ring full with %u in flight", in_flight);
	eventfd_poke(submit_fd);
}

/* Event loop: finished jobs come back; wake their requests. */
static void
jobs_done(void *arg, int error)
{
	struct rq	*rq;
	uint64_t	 n;

	(void)arg;
	if (error)
		fatal("jobs: the done eventfd failed");
	/* Reset the counter first: a later poke makes a new edge. */
	(void)read(done_fd, &n, sizeof(n));
	while ((rq = ring_pop(&to_loop)) != NULL) {
		in_flight--;
		rq_job_finished(rq);
	}
	while (waiting_head != NULL && in_flight < JOBS_RING) {
		rq = waiting_head;
		if ((waiting_head = rq->job_next) == NULL)
			waiting_tail = NULL;
		jobs_hand_over(rq);
	}
}

/*
 * The job thread: no Kore calls, and of rq only task_fn, task_arg and
 * task_result, which nobody else touches while it is in flight.
 */
static void *
jobs_thread(void *arg)
{
	struct rq	*rq;
	uint64_t	 n;

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
		while ((rq = ring_pop(&to_thread)) != NULL) {
			rq->task_result = rq->task_fn(rq->task_arg);
			if (!ring_push(&to_loop, rq))
				abort();	/* cannot happen: in_flight */
			eventfd_poke(done_fd);
		}
		/* Blocks until the event loop pokes (or has poked). */
		if (read(submit_fd, &n, sizeof(n)) == -1 && errno != EINTR)
			abort();
	}
	return (NULL);
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
ring_push(struct ring *r, struct rq *rq)
{
	size_t	h, t;

	h = atomic_load_explicit(&r->head, memory_order_relaxed);
	t = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (h - t == JOBS_RING)
		return (0);
	r->item[h % JOBS_RING] = rq;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return (1);
}

static struct rq *
ring_pop(struct ring *r)
{
	struct rq	*rq;
	size_t		 h, t;

	t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	h = atomic_load_explicit(&r->head, memory_order_acquire);
	if (t == h)
		return (NULL);
	rq = r->item[t % JOBS_RING];
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return (rq);
}
