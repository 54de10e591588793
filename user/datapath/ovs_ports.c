// SPDX-License-Identifier: GPL-2.0-only
/* The config's interfaces in Open vSwitch (see datapath/ovs_ports.h). */
#include "datapath/ovs_ports.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

/* Whether prog is an executable in PATH. */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4200], dir[4096];

	if (!path)
		return false;
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(buf, sizeof(buf), "%s/%.64s", n ? dir : ".", prog);
		if (!access(buf, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Run argv (no shell: names go in as words), its first line of output into
 * out. Its exit status, or -1 when it could not run or was killed. */
static int run(char *const argv[], char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int p[2], st, rc = -1;
	ssize_t n = 0, r;
	pid_t pid;

	out[0] = '\0';
	if (pipe(p))
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC); /* the child writes only */
	fcntl(p[1], F_SETFD, FD_CLOEXEC); /* dup2 to 1 clears it there */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	/* The agent blocks its signals in every thread: not in the child. */
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	if (posix_spawnp(&pid, argv[0], &fa, &at, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	while (pid > 0 && (r = read(p[0], out + n, len - 1 - n)) > 0 && (size_t)(n += r) < len - 1)
		;
	close(p[0]);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		rc = WEXITSTATUS(st);
	return rc;
}

int pr_ovs_check(const struct pr_config *cfg, struct pr_drift_list *out)
{
	char ans[256], brex[IFNAMSIZ];
	int rc, err = 0;

	if (!cfg->brex[0] || !in_path("ovs-vsctl"))
		return 0;
	snprintf(brex, sizeof(brex), "%s", cfg->brex);
	{
		char *argv[] = { "ovs-vsctl", "--timeout=5", "br-exists", brex, NULL };

		rc = run(argv, ans, sizeof(ans));
	}
	if (rc == 2)
		return pr_drift_add(out, "interface %s: configured as br-ex, but Open vSwitch has no such bridge", brex);
	if (rc != 0)
		return 0; /* ovs-vsctl cannot answer (no database here): nothing to say */
	for (unsigned i = 0; i < cfg->nunderlay && !err; i++) {
		char nic[IFNAMSIZ];
		char *argv[] = { "ovs-vsctl", "--timeout=5", "port-to-br", nic, NULL };

		if (!strcmp(cfg->underlay[i], brex))
			continue;
		snprintf(nic, sizeof(nic), "%s", cfg->underlay[i]);
		rc = run(argv, ans, sizeof(ans));
		if (rc == 0 && !strcmp(ans, brex))
			continue;
		if (rc == 0)
			err = pr_drift_add(out, "interface %s: an underlay NIC beside br-ex %s, but Open vSwitch has it "
					   "on bridge %s (podroute takes %s's MAC as a router MAC on it)",
					   nic, brex, ans, brex);
		else
			err = pr_drift_add(out, "interface %s: an underlay NIC beside br-ex %s, but it is not a port "
					   "in Open vSwitch (podroute takes %s's MAC as a router MAC on it)",
					   nic, brex, brex);
	}
	return err;
}
