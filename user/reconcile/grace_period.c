// SPDX-License-Identifier: GPL-2.0-only
/* A grace period on request, on its own thread (see reconcile/grace_period.h). */
#include "reconcile/grace_period.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>

struct pr_grace_period {
	int inner, outer; /* an array and a one-slot array of maps holding it */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, ended;
	uint64_t requested, completed; /* tickets */
	bool stop;
};

static void *gp_thread(void *arg)
{
	struct pr_grace_period *w = arg;
	uint32_t zero = 0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		uint64_t target;

		while (!w->stop && w->completed == w->requested)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stop)
			break;
		/* Every ticket handed out so far was requested before the
		 * grace period below starts. */
		target = w->requested;
		pthread_mutex_unlock(&w->lock);
		/* Only a successful update waits: on a refusal (memory
		 * pressure: nothing else can fail on maps of our own) nothing
		 * is known, so try again. */
		while (bpf_map_update_elem(w->outer, &zero, &w->inner, BPF_ANY) &&
		       !__atomic_load_n(&w->stop, __ATOMIC_RELAXED))
			usleep(1000);
		pthread_mutex_lock(&w->lock);
		w->completed = target;
		pthread_cond_broadcast(&w->ended);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int pr_grace_period_open(struct pr_grace_period **out)
{
	struct pr_grace_period *w = calloc(1, sizeof(*w));
	int err;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->outer = -1;
	w->inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pr_rcu_inner", 4, 4, 1, NULL);
	if (w->inner < 0) {
		err = -errno;
		free(w);
		return err;
	}
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .inner_map_fd = w->inner);

		w->outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "pr_rcu_outer", 4, 4, 1, &o);
	}
	if (w->outer < 0) {
		err = -errno;
		close(w->inner);
		free(w);
		return err;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->ended, NULL);
	err = -pthread_create(&w->thread, NULL, gp_thread, w);
	if (err) {
		close(w->outer);
		close(w->inner);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

void pr_grace_period_close(struct pr_grace_period *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	__atomic_store_n(&w->stop, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->ended);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	close(w->outer);
	close(w->inner);
	free(w);
}

uint64_t pr_grace_period_request(struct pr_grace_period *w)
{
	uint64_t t;

	pthread_mutex_lock(&w->lock);
	t = ++w->requested;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return t;
}

bool pr_grace_period_done(struct pr_grace_period *w, uint64_t ticket)
{
	bool done;

	pthread_mutex_lock(&w->lock);
	done = w->completed >= ticket;
	pthread_mutex_unlock(&w->lock);
	return done;
}

void pr_grace_period_wait(struct pr_grace_period *w, uint64_t ticket)
{
	pthread_mutex_lock(&w->lock);
	while (w->completed < ticket)
		pthread_cond_wait(&w->ended, &w->lock);
	pthread_mutex_unlock(&w->lock);
}
