// SPDX-License-Identifier: GPL-2.0-only
/*
 * /init of the small initramfs kernel.sh builds for kernels whose virtiofs
 * and virtio_pci are modules (Debian's 6.1 cloud kernel): load the modules
 * listed in /modules, one path a line, in that order; mount the virtiofs
 * share "rootfs" read-only; make it the root; and hand over to the init the
 * kernel command line names in pr_init= (the kernel passes such unknown
 * parameters to /init in its environment). Static, so the initramfs holds
 * nothing else. Any failure is said on the console, and the kernel panics
 * when PID 1 exits (run.sh boots with panic=-1: the VM stops).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "initrd: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *init = getenv("pr_init");
	char line[512];
	FILE *list;
	int i;

	(void)argc;
	if (!init || !*init) {
		fprintf(stderr, "initrd: no pr_init= on the kernel command line\n");
		return 1;
	}
	list = fopen("/modules", "r");
	if (!list)
		return fail("open", "/modules");
	while (fgets(line, sizeof(line), list)) {
		int fd;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail("open", line);
		if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
			return fail("load module", line);
		close(fd);
	}
	fclose(list);
	mkdir("/newroot", 0755);
	/* The device is probed as its driver loads, but may come up a little
	 * later: retry for up to 10 s. */
	for (i = 0;; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (!mount("rootfs", "/newroot", "virtiofs", MS_RDONLY, NULL))
			break;
		if (i == 200)
			return fail("mount virtiofs rootfs on", "/newroot");
		nanosleep(&ts, NULL);
	}
	/* What switch_root does; the initramfs' few files stay in memory. */
	if (chdir("/newroot") || mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".") || chdir("/"))
		return fail("switch to", "/newroot");
	argv[0] = (char *)init;
	execv(init, argv);
	return fail("exec", init);
}
