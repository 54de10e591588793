// SPDX-License-Identifier: GPL-2.0-only
/* kubectl for the config sidecar (see kubectl.h). */
#define _GNU_SOURCE /* pipe2 */
#include "config/kubectl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "lib/atomic_file.h"

int pr_kubectl_run(char *const *av, const char *path, char *why, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), errp[2], st;
	char buf[512] = "";
	ssize_t n;
	pid_t pid;

	if (fd < 0 || pipe2(errp, O_CLOEXEC)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(errp[1], 2);
		execvp(av[0], av);
		fprintf(stderr, "cannot run %s: %s", av[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	close(errp[1]);
	n = pid > 0 ? read(errp[0], buf, sizeof(buf) - 1) : 0;
	buf[n > 0 ? n : 0] = '\0';
	while (n > 0) { /* drain: a chatty child must not block on a full pipe */
		char sink[512];

		n = read(errp[0], sink, sizeof(sink));
	}
	close(errp[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		snprintf(why, len, "%s: %s", av[0], strerror(errno));
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(why, len, "%s %s %s exited %d: %s", av[0], av[1], av[2],
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), buf);
		return -1;
	}
	return 0;
}

/* RFC 3339 in UTC, as the API server writes times. */
static void now_rfc3339(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pr_kubectl_event(const char *kubectl, const char *dir, const char *node,
		     const struct pr_render_object *o, const char *reason, const char *message,
		     char *why, size_t len)
{
	char path[4096], out[4096], now[32];
	char *av[] = { (char *)kubectl, "create", "-f", path, "-o", "name", NULL };
	bool about_node = !o->kind[0];
	json_t *ev, *inv;
	char *text;
	int rc;

	now_rfc3339(now, sizeof(now));
	inv = about_node ? json_pack("{s:s, s:s, s:s}", "apiVersion", "v1", "kind", "Node", "name", node)
			 : json_pack("{s:s, s:s, s:s}", "apiVersion", o->api_version, "kind", o->kind,
				     "name", o->name);
	if (inv && !about_node && o->namespace_[0])
		json_object_set_new(inv, "namespace", json_string(o->namespace_));
	/* Events of cluster-scoped objects live in "default", as kubectl's. */
	ev = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:i}",
		       "apiVersion", "v1", "kind", "Event",
		       "metadata", "generateName", "podroute-refused-", "namespace",
		       !about_node && o->namespace_[0] ? o->namespace_ : "default",
		       "involvedObject", inv,
		       "type", "Warning", "reason", reason, "message", message,
		       "source", "component", "podroute-config-sync", "host", node,
		       "reportingComponent", "podroute-config-sync", "reportingInstance", node,
		       "firstTimestamp", now, "lastTimestamp", now, "count", 1);
	if (!ev) {
		snprintf(why, len, "cannot build the Event (out of memory?)");
		return -1;
	}
	text = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	snprintf(path, sizeof(path), "%s/event.json", dir);
	snprintf(out, sizeof(out), "%s/event.out", dir);
	rc = text ? pr_write_atomic(path, text, strlen(text)) : -ENOMEM;
	free(text);
	if (rc) {
		snprintf(why, len, "%s: %s", path, strerror(-rc));
		return -1;
	}
	rc = pr_kubectl_run(av, out, why, len);
	unlink(path);
	unlink(out);
	return rc;
}
