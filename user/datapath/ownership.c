// SPDX-License-Identifier: GPL-2.0-only
/* Which programs are this instance's (see ownership.h). */
#include "datapath/ownership.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "datapath/programs.h"
#include "podroute_abi.h"

static int progids_fd = -1;

void pr_progids_use(int fd)
{
	progids_fd = fd;
}

void pr_progids_forget(int fd)
{
	if (progids_fd == fd)
		progids_fd = -1;
}

static bool id_recorded(uint32_t id)
{
	for (uint32_t slot = 1; id && progids_fd >= 0 && slot <= PR_PROGID_RING; slot++) {
		uint32_t v = 0;

		if (!bpf_map_lookup_elem(progids_fd, &slot, &v) && v == id)
			return true;
	}
	return false;
}

void pr_progids_record(uint32_t id)
{
	uint32_t zero = 0, next = 0, slot;

	if (progids_fd < 0 || !id || id_recorded(id))
		return;
	bpf_map_lookup_elem(progids_fd, &zero, &next);
	slot = 1 + next++ % PR_PROGID_RING;
	bpf_map_update_elem(progids_fd, &slot, &id, 0);
	bpf_map_update_elem(progids_fd, &zero, &next, 0);
}

bool pr_is_our_prog_name(const char *name)
{
	for (int i = 0; i < PR_PROG__COUNT; i++)
		if (!strcmp(name, pr_prog_name(i)))
			return true;
	return false;
}

int pr_prog_name_by_id(uint32_t id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	uint32_t ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		err = -errno;
	else
		snprintf(name, len, "%s", info.name);
	close(fd);
	return err;
}

enum pr_owner pr_prog_owner(uint32_t id, char *name, size_t len)
{
	char buf[64] = "";
	int err;

	if (!name) {
		name = buf;
		len = sizeof(buf);
	}
	name[0] = '\0';
	if (!id)
		return PR_OWNER_NONE;
	if (id_recorded(id))
		return PR_OWNER_US;
	/* Only a stranger is opened: for the message, and to tell another
	 * podroute instance and libxdp's dispatcher from other tools. */
	err = pr_prog_name_by_id(id, name, len);
	if (err)
		return err == -EPERM ? PR_OWNER_UNREADABLE : PR_OWNER_FOREIGN;
	if (!strcmp(name, "xdp_dispatcher"))
		return PR_OWNER_DISPATCHER;
	return pr_is_our_prog_name(name) ? PR_OWNER_OTHER_PODROUTE : PR_OWNER_FOREIGN;
}

bool pr_prog_is_ours(uint32_t id)
{
	return id && id_recorded(id);
}

const char *pr_owner_refusal(enum pr_owner o)
{
	return o == PR_OWNER_OTHER_PODROUTE
		       ? "another podroute instance's (its id is not in this --pin-dir's pr_progids): "
			 "each instance touches only its own programs"
		       : "not podroute's: podroute does not replace or remove programs it did not install";
}
