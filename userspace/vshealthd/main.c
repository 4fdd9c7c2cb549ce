// SPDX-License-Identifier: GPL-2.0
/*
 * vshealthd: health checks for vsched's real servers. main() parses the
 * command line, then either checks the configuration (-t), asks a
 * running daemon (--show), or runs the daemon: one sd-event loop with
 * the kernel sync, the probe timers, the control socket and the metrics
 * endpoint on it. See vshealthd(8).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "probe.h"

#define VH_VERSION	"0.1.0"

static const struct vh_health_ops vh_ops = {
	.send = vh_kernel_send,
	.pair_new = vh_sched_pair_new,
	.pair_del = vh_sched_pair_del,
	.quorum = vh_quorum_run,
};

static void print_errors(const struct vh_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		fprintf(stderr, "%s\n", e->msg[i]);
}

static int on_status_timer(sd_event_source *src, uint64_t usec, void *arg)
{
	sd_event_source_set_time(src, usec + 10 * 1000000ULL);
	vh_daemon_status(arg);
	return 0;
}

static void reload(struct vh_daemon *d)
{
	struct vh_config *old = d->cfg, *cfg;
	struct vh_errors errs = { 0 };
	bool ctl_changed, met_changed;
	size_t i;

	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s", old->file);
	vh_notice("SIGHUP: reloading %s", old->file);
	if (vh_config_load(old->file, &cfg, &errs)) {
		for (i = 0; i < errs.n; i++)
			vh_err("%s", errs.msg[i]);
		vh_err("%s has %zu error%s: keeping the configuration that runs",
		       old->file, errs.n, errs.n == 1 ? "" : "s");
		vh_errors_free(&errs);
		d->stats.reloads_failed++;
		sd_notify(0, "READY=1");
		vh_daemon_status(d);
		return;
	}
	vh_health_reconfigure(d->health, cfg, vh_now_ms(d));
	vh_sched_after_reload(d);
	ctl_changed = strcmp(old->control, cfg->control);
	met_changed = !old->metrics != !cfg->metrics ||
		(old->metrics && (strcmp(old->metrics, cfg->metrics) ||
				  old->metrics_allow_remote !=
				  cfg->metrics_allow_remote));
	d->cfg = cfg;
	if (ctl_changed) {
		vh_control_stop(d);
		if (vh_control_start(d, cfg->control))
			vh_err("no control socket until the next reload");
	}
	if (met_changed) {
		vh_metrics_stop(d);
		if (vh_metrics_start(d))
			vh_err("no metrics endpoint until the next reload");
	}
	vh_config_free(old);
	d->stats.reloads_ok++;
	vh_notice("reloaded %s: %zu checks, %zu services; %zu probes",
		  cfg->file, cfg->n_checks, cfg->n_services,
		  d->health->n_pairs);
	sd_notify(0, "READY=1");
	vh_daemon_status(d);
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si,
		     void *arg)
{
	struct vh_daemon *d = arg;

	if (si->ssi_signo == SIGHUP) {
		reload(d);
		return 0;
	}
	/* The kernel keeps what we told it: a stopped daemon changes
	 * nothing, and a restarted one carries on from there.
	 */
	vh_notice("signal %d: exiting; the kernel keeps the health it has",
		  (int)si->ssi_signo);
	sd_notify(0, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(src), 0);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vshealthd [-f FILE] [-n] [-v] [--pidfile FILE]   run the daemon\n"
"       vshealthd -t [-f FILE]                          check the configuration\n"
"       vshealthd --show [-j] [-f FILE | --control PATH] ask a running daemon\n"
"\n"
"Health checks for vsched's real servers: probes each server as\n"
"configured and tells the kernel whether it is up (it never changes the\n"
"admin weights and never adds or deletes services or servers).\n"
"\n"
"  -f, --config FILE     configuration file (default %s)\n"
"  -t, --test            check the configuration, print every error as\n"
"                        FILE:LINE: message, exit 0 if it is valid, else 1\n"
"  -n, --foreground      stay in the foreground and log to stderr\n"
"      --pidfile FILE    write the daemon's pid there once it is ready\n"
"  -v, --verbose         log every probe decision (debug level)\n"
"      --show            print the state of every server and check\n"
"  -j, --json            with --show: as JSON\n"
"      --control PATH    with --show: the control socket (default: the\n"
"                        configuration's daemon.control, else %s)\n"
"  -h, --help            this text\n"
"  -V, --version         the version\n"
"\n"
"Signals: SIGHUP reloads the configuration (a bad file is refused and\n"
"the old one keeps running); SIGTERM and SIGINT stop the daemon and leave\n"
"the kernel as it is. See vshealthd(8) and vshealthd.conf(5).\n",
		VH_DEFAULT_CONFIG, VH_DEFAULT_CONTROL);
}

enum { OPT_PIDFILE = 256, OPT_SHOW, OPT_CONTROL };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'f' },
	{ "test", no_argument, NULL, 't' },
	{ "foreground", no_argument, NULL, 'n' },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "show", no_argument, NULL, OPT_SHOW },
	{ "json", no_argument, NULL, 'j' },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct vh_opts {
	const char *file, *pidfile, *control;
	bool test, foreground, verbose, show, json;
};

static int parse_opts(int argc, char **argv, struct vh_opts *o)
{
	int c;

	o->file = VH_DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "f:tnvjhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'f': o->file = optarg; break;
		case 't': o->test = true; break;
		case 'n': o->foreground = true; break;
		case 'v': o->verbose = true; break;
		case 'j': o->json = true; break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_SHOW: o->show = true; break;
		case OPT_CONTROL: o->control = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("vshealthd %s\n", VH_VERSION); exit(0);
		default:
			fprintf(stderr, "Try 'vshealthd --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vshealthd: unexpected argument \"%s\"; try 'vshealthd --help'\n",
			argv[optind]);
		return -1;
	}
	if (o->test + o->show > 1) {
		fprintf(stderr, "vshealthd: -t and --show do not go together\n");
		return -1;
	}
	if (o->json && !o->show) {
		fprintf(stderr, "vshealthd: -j goes with --show\n");
		return -1;
	}
	return 0;
}

static int do_test(const char *file)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg;

	if (vh_config_load(file, &cfg, &errs)) {
		print_errors(&errs);
		fprintf(stderr, "%s: %zu error%s\n", file, errs.n,
			errs.n == 1 ? "" : "s");
		vh_errors_free(&errs);
		return 1;
	}
	printf("%s: configuration OK (%zu checks, %zu services)\n", file,
	       cfg->n_checks, cfg->n_services);
	vh_config_free(cfg);
	return 0;
}

static int do_show(const struct vh_opts *o)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg = NULL;
	int ret;

	/* The socket the configuration names, if it can be read (not
	 * every operator can read it: then the default).
	 */
	if (!o->control && !vh_config_load(o->file, &cfg, &errs)) {
		ret = vh_control_query(cfg->control,
				       o->json ? "show json" : "show");
		vh_config_free(cfg);
	} else {
		ret = vh_control_query(o->control ? o->control :
				       VH_DEFAULT_CONTROL,
				       o->json ? "show json" : "show");
	}
	vh_errors_free(&errs);
	return ret ? 1 : 0;
}

/* Under systemd (or told -n) the daemon stays in the foreground; run by
 * hand without -n it detaches like a classic daemon.
 */
static bool under_systemd(void)
{
	return getenv("NOTIFY_SOCKET") || getenv("INVOCATION_ID");
}

/* Is stderr the journal's stream (JOURNAL_STREAM=dev:ino)? */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

static int detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/"))
		return -errno;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/*
 * Every probe in flight holds a socket: a thousand servers checked at
 * once do not fit the usual soft limit of 1024 descriptors. Take what the
 * hard limit allows (systemd's is 524288); running short would only show
 * as probe start errors, never as servers marked down.
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		vh_warn("cannot raise the descriptor limit: %s",
			strerror(errno));
}

static int run(struct vh_daemon *d)
{
	sd_event_source *status = NULL;
	sigset_t mask;
	uint64_t now;
	int err;

	/* Signals arrive through the loop; SIGCHLD too, for the quorum
	 * commands and script checks (sd_event_add_child needs it
	 * blocked in every thread: done before anything can start one).
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	srandom(time(NULL) ^ getpid());
	raise_nofile();

	/* A loop of our own, not the default one: that one asks for the
	 * thread id (a system call) on every iteration.
	 */
	err = sd_event_new(&d->ev);
	if (err < 0) {
		vh_err("cannot create the event loop: %s", strerror(-err));
		return err;
	}
	if ((err = sd_event_add_signal(d->ev, NULL, SIGHUP, on_signal, d)) < 0 ||
	    (err = sd_event_add_signal(d->ev, NULL, SIGTERM, on_signal, d)) < 0 ||
	    (err = sd_event_add_signal(d->ev, NULL, SIGINT, on_signal, d)) < 0) {
		vh_err("cannot watch signals: %s", strerror(-err));
		goto err_loop;
	}
	/* STATUS= every 10 s: systemctl status shows a current picture. */
	sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
	if (sd_event_add_time(d->ev, &status, CLOCK_MONOTONIC,
			      now + 10 * 1000000ULL, 1000000, on_status_timer,
			      d) >= 0)
		sd_event_source_set_enabled(status, SD_EVENT_ON);
	err = vh_probes_init(d->ev);
	if (err) {
		vh_err("cannot set up the probes: %s", strerror(-err));
		goto err_loop;
	}
	d->health = vh_health_new(d->cfg, &vh_ops, d);
	if (!d->health) {
		err = -ENOMEM;
		goto err_probes;
	}
	err = vh_control_start(d, d->cfg->control);
	if (err)
		goto err_health;
	err = vh_metrics_start(d);
	if (err)
		goto err_control;
	err = vh_kernel_start(d);
	if (err) {
		vh_err("cannot start the kernel sync: %s", strerror(-err));
		goto err_metrics;
	}
	vh_notice("version %s running with %s", VH_VERSION, d->cfg->file);
	err = sd_event_loop(d->ev);
	if (err < 0)
		vh_err("event loop: %s", strerror(-err));

	vh_kernel_stop(d);
err_metrics:
	vh_metrics_stop(d);
err_control:
	vh_control_stop(d);
err_health:
	/* Freeing the registry cancels the probes; nothing is sent. */
	vh_health_free(d->health);
	d->health = NULL;
err_probes:
	vh_probes_exit();
err_loop:
	sd_event_source_disable_unref(status);
	d->ev = sd_event_unref(d->ev);
	return err < 0 ? err : 0;
}

int main(int argc, char **argv)
{
	struct vh_errors errs = { 0 };
	struct vh_daemon d = { 0 };
	struct vh_opts o = { 0 };
	int err;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (o.test)
		return do_test(o.file);
	if (o.show)
		return do_show(&o);

	if (vh_config_load(o.file, &d.cfg, &errs)) {
		print_errors(&errs);
		fprintf(stderr, "vshealthd: %s is not valid (%zu error%s); not starting. Check it with vshealthd -t -f %s\n",
			o.file, errs.n, errs.n == 1 ? "" : "s", o.file);
		vh_errors_free(&errs);
		return 1;
	}
	if (o.foreground || under_systemd()) {
		vh_log_setup(stderr_is_journal() ? VH_LOG_JOURNAL :
			     VH_LOG_STDERR, o.verbose ? LOG_DEBUG : LOG_INFO);
	} else {
		err = detach();
		if (err) {
			fprintf(stderr, "vshealthd: cannot detach: %s\n",
				strerror(-err));
			return 1;
		}
		vh_log_setup(VH_LOG_SYSLOG, o.verbose ? LOG_DEBUG : LOG_INFO);
	}
	d.pidfile = o.pidfile;
	err = run(&d);
	if (d.pidfile && d.ready)
		unlink(d.pidfile);
	vh_config_free(d.cfg);
	return err ? 1 : 0;
}
