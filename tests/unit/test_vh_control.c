// SPDX-License-Identifier: GPL-2.0
/* vshealthd's control socket on a private loop: "show json", an unknown
 * command, a second daemon refused on a live socket, the file removed
 * at stop.
 */

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon.h"
#include "harness.h"
#include "vh_util.h"

static const char conf[] =
	"checks = { web = { type = \"tcp\"; }; };\n"
	"services = ( { service = \"tcp 198.18.100.1:80\"; checks = \"web\"; } );\n";

/* Send @cmd as a client and run the loop until the daemon closes. */
static char *ask(struct vh_daemon *d, const char *path, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *out = calloc(1, 65536);
	size_t len = 0;
	int fd, i;

	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		if (fd >= 0)
			close(fd);
		free(out);
		return NULL;
	}
	for (i = 0; i < 200; i++) {
		ssize_t n;

		sd_event_run(d->ev, 10000);
		n = read(fd, out + len, 65535 - len);
		if (n == 0)
			break;
		if (n > 0)
			len += n;
	}
	close(fd);
	return out;
}

TEST(vh_control_socket_show)
{
	struct vh_daemon d = { 0 }, other = { 0 };
	struct vh_t_ops ops = { 0 };
	char path[] = "/tmp/vh-ctl-XXXXXX", *out;
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_dest dest = vh_t_dest("10.0.0.1", 80, 10);
	struct stat st;
	json_t *j;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	d.cfg = vh_t_config(conf);
	CHECK(d.cfg != NULL);
	if (!d.cfg || sd_event_new(&d.ev) < 0)
		return;
	d.health = vh_health_new(d.cfg, &vh_t_fake_ops, &ops);
	vh_health_dest_update(d.health, &s, &dest, 1000);
	/* A leftover file where the socket goes is replaced. */
	CHECK(vh_control_start(&d, path) == 0);
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));

	out = ask(&d, path, "show json\n");
	j = out ? json_loads(out, 0, NULL) : NULL;
	CHECK(j != NULL);
	CHECK(json_is_false(json_object_get(j, "kernel_connected")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(
		json_object_get(json_array_get(json_object_get(j, "services"), 0),
				"servers"), 0), "server")), "10.0.0.1:80");
	json_decref(j);
	free(out);

	out = ask(&d, path, "show\n");
	CHECK_HAS(out, "  server 10.0.0.1:80: unknown");
	free(out);
	out = ask(&d, path, "reboot\n");
	CHECK_HAS(out, "error: unknown command \"reboot\"");
	free(out);

	/* Another daemon on the same path is refused while this one runs. */
	other.ev = d.ev;
	CHECK(vh_control_start(&other, path) == -EADDRINUSE);
	CHECK(stat(path, &st) == 0);

	vh_control_stop(&d);
	CHECK(stat(path, &st) != 0);
	vh_health_free(d.health);
	vh_config_free(d.cfg);
	sd_event_unref(d.ev);
}

/* vh_control_cmd() reads and writes only the bytes it is given (issue
 * 22, finding 2): an empty line or one starting with NUL used to look
 * at in[-1] and, when that byte was '\r', clear it. Each buffer here
 * starts after a guard byte that holds '\r'.
 */
TEST(vh_control_cmd_bounds)
{
	static const struct {
		const char *in;
		size_t len;
		bool more;
		const char *cmd;	/* NULL: wait for more */
	} t[] = {
		{ "\n", 1, true, "" },
		{ "\r\n", 2, true, "" },
		{ "\0show\n", 6, true, "" },
		{ "\0", 1, false, "" },
		{ "", 0, false, "" },
		{ "show\r\n", 6, true, "show" },
		{ "show json\n", 10, true, "show json" },
		{ "show", 4, true, NULL },
		{ "show", 4, false, "show" },
		{ "show\r", 5, false, "show" },
		{ "\0\n", 2, true, "" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
		const char *cmd;

		memset(buf, 'x', sizeof(buf));
		buf[0] = '\r';
		memcpy(buf + 1, t[i].in, t[i].len);
		buf[1 + t[i].len] = '\0';
		cmd = vh_control_cmd(buf + 1, t[i].len, t[i].more);
		if (t[i].cmd)
			CHECK_STR(cmd, t[i].cmd);
		else
			CHECK(cmd == NULL);
		if (buf[0] != '\r')
			printf("    case %zu wrote before the buffer\n", i);
		CHECK(buf[0] == '\r');
	}
}
