/*
 * nsexec: the native half of the nscheck kernel executor (driver: model/executor/kernel.ts).
 *
 * Runs the steps of an nscheck-trace/1 trace on the live kernel, one syscall per step, inside a
 * sandbox it cannot leave. Process layout:
 *
 *   driver (node) --stdin/stdout lines--> controller (this program, host pid ns)
 *       controller: unshare(NEWNS|NEWUTS|NEWIPC|NEWNET|NEWPID), "/" made rprivate, tmpfs on /tmp
 *       `-- sandbox init (pid 1 of the sandbox pid ns): mounts a fresh /proc, reaps every orphan
 *            `-- P (trace task): command loop
 *                 `-- children created by `fork` steps (clone3 with the named flags)
 *
 * Every trace task is a real task (a thread for CLONE_THREAD) that blocks on its own
 * SOCK_SEQPACKET channel to the controller, runs one command and replies. Channel socketpairs are made by the controller (so every channel socket belongs to
 * the sandbox's network namespace and never keeps a trace-created one alive) and the child's end
 * is passed to the forking task with the fork command. Channel fds live at numbers >= CHAN_FD_MIN so they never collide with the fds a
 * trace opens. Killing the sandbox init kills the whole pid namespace: that is the cleanup path
 * (quit command, EOF on stdin, step timeout, and PR_SET_PDEATHSIG when the driver dies).
 *
 * Driver -> controller (one line each; strings are hex encoded, "-" means absent):
 *   S <task> <timeout_ms> <op> <args...>   run one step; reply "R <result> [key=value...]"
 *   H <task>                               record an nsfs file handle of each of the task's
 *                                          namespaces; reply "R <entry>=<ns_id>:<inum>|ERRNO ..."
 *   L                                      liveness of every recorded namespace (open_by_handle_at
 *                                          on FD_NSFS_ROOT: ESTALE once it is gone); reply
 *                                          "R <ns_id>=alive|ESTALE|ERRNO ..."
 *   Q                                      tear down; reply "BYE"
 * At start the controller prints "READY <P's procfs pid>" (or "FATAL <message>").
 * Controller -> task: "<op> <args...>"; task -> controller: "<result> [key=value...]".
 *
 * Step results: "ok", an errno name, "key=value", plus internal extras the driver strips
 * ("fd=N" for a new descriptor, "cpid=N tid=N" for fork).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sched.h>

#if !defined(__x86_64__)
#error "nsexec: only x86_64 is supported (clone3 trampoline)"
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

#define NSIO 0xb7
#define NS_GET_USERNS _IO(NSIO, 0x1)
#define NS_GET_PARENT _IO(NSIO, 0x2)
#define NS_GET_NSTYPE _IO(NSIO, 0x3)
#define NS_GET_OWNER_UID _IO(NSIO, 0x4)
#define NS_GET_MNTNS_ID _IOR(NSIO, 0x5, uint64_t)
#define NS_GET_ID _IOR(NSIO, 13, uint64_t)
#define NS_UNKNOWN_IOCTL _IO(NSIO, 0x7e) /* not assigned: the kernel answers ENOTTY */

#define CHAN_FD_MIN 600
#define MAX_TASKS 512
#define WORKDIR "/tmp"
#define NOT_A_PID 999999 /* never a valid pid in the sandbox (pid_max is far above typical use) */
#define MSG_MAX 4096
/* parts only the nsexec main uses (the exported C reproducer embeds this file without it) */
#define NSX_UNUSED __attribute__((unused))

struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* clone3 on a new stack: the child calls fn(arg) and exits with SYS_exit. rdi=args rsi=size
 * rdx=fn rcx=arg. The kernel preserves r8/r9 across syscall; the child starts on the new stack. */
extern long nsx_clone3_stack(struct clone_args_v2 *args, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
	".globl nsx_clone3_stack\n"
	".type nsx_clone3_stack,@function\n"
	"nsx_clone3_stack:\n"
	"  mov %rdx, %r8\n"
	"  mov %rcx, %r9\n"
	"  mov $435, %eax\n"
	"  syscall\n"
	"  test %rax, %rax\n"
	"  jnz 1f\n"
	"  xor %ebp, %ebp\n"
	"  and $-16, %rsp\n"
	"  mov %r9, %rdi\n"
	"  call *%r8\n"
	"  mov %eax, %edi\n"
	"  mov $60, %eax\n"
	"  syscall\n"
	"  hlt\n"
	"1:\n"
	"  ret\n"
	".size nsx_clone3_stack, .-nsx_clone3_stack\n");

/* ------------------------------------------------------------------ small helpers */

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "EUNKNOWN";
}

static int hexdecode(const char *in, char *out, size_t outsz)
{
	if (strcmp(in, "-") == 0) {
		out[0] = 0;
		return 0;
	}
	size_t n = strlen(in);
	if (n % 2 || n / 2 >= outsz)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(in + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (char)v;
	}
	out[n / 2] = 0;
	return 0;
}

static int send_msg(int fd, const char *s, int passfd)
{
	struct iovec iov = { .iov_base = (void *)s, .iov_len = strlen(s) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (passfd >= 0) {
		memset(&u, 0, sizeof u);
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	}
	ssize_t r;
	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

/* Returns length, 0 on EOF, -1 on error. *gotfd receives a passed descriptor (or -1). */
static ssize_t recv_msg(int fd, char *buf, size_t sz, int *gotfd)
{
	struct iovec iov = { .iov_base = buf, .iov_len = sz - 1 };
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
	ssize_t r;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (gotfd)
		*gotfd = -1;
	if (r < 0)
		return -1;
	buf[r] = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && gotfd)
			memcpy(gotfd, CMSG_DATA(c), sizeof(int));
	return r;
}

static int to_high_fd(int fd)
{
	int h = fcntl(fd, F_DUPFD_CLOEXEC, CHAN_FD_MIN);
	if (h < 0)
		return -1;
	close(fd);
	return h;
}

static int split(char *line, char **tok, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \n", &save); t && n < max; t = strtok_r(NULL, " \n", &save))
		tok[n++] = t;
	return n;
}

static long long num(const char *s)
{
	return s ? strtoll(s, NULL, 0) : 0;
}

static int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, data, strlen(data));
	int e = n < 0 ? errno : 0;
	close(fd);
	return n < 0 ? -e : 0;
}

/* "Pid:" line of a pidfd's fdinfo: the pid as seen by the procfs mount (the sandbox pid ns). */
/* Read a small /proc file into buf (NUL-terminated); -1 when it cannot be read. */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static int pidfd_procfs_pid(int pidfd)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/thread-self/fdinfo/%d", pidfd);
	if (read_small(path, buf, sizeof buf) < 0)
		return -1;
	char *p = strstr(buf, "\nPid:");
	return p ? atoi(p + 5) : -1;
}

/* Number of entries of the NSpid line of /proc/<path>/status, and the entry at index idx. */
static int nspid(const char *statuspath, int idx, int *count)
{
	char buf[4096];
	if (read_small(statuspath, buf, sizeof buf) < 0)
		return -1;
	char *p = strstr(buf, "\nNSpid:");
	if (!p)
		return -1;
	p += 7;
	int c = 0, val = -1;
	char *end;
	for (;;) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (c == idx)
			val = (int)v;
		c++;
		p = end;
	}
	*count = c;
	return val;
}

/* Translate a pid number as seen by the sandbox procfs into the caller's active pid ns.
 * Returns NOT_A_PID when the task is not visible there (or unknown). */
static int pid_in_my_ns(int procfs_tid)
{
	if (procfs_tid <= 0)
		return NOT_A_PID;
	char path[64];
	int mine = 0, theirs = 0;
	if (nspid("/proc/thread-self/status", 0, &mine) < 0 || mine < 1)
		return NOT_A_PID;
	snprintf(path, sizeof path, "/proc/%d/status", procfs_tid);
	int cand = nspid(path, mine - 1, &theirs);
	if (cand < 0 || theirs < mine)
		return NOT_A_PID;
	/* The candidate is right iff the target's pid ns at my level is my active pid ns: check by
	 * opening a pidfd for the candidate in my ns and asking procfs who it is. */
	int pfd = (int)syscall(__NR_pidfd_open, cand, PIDFD_THREAD);
	if (pfd < 0)
		return NOT_A_PID;
	int who = pidfd_procfs_pid(pfd);
	close(pfd);
	return who == procfs_tid ? cand : NOT_A_PID;
}

static const char *nstype_name(int t)
{
	switch (t) {
	case CLONE_NEWNS: return "CLONE_NEWNS";
	case CLONE_NEWUTS: return "CLONE_NEWUTS";
	case CLONE_NEWIPC: return "CLONE_NEWIPC";
	case CLONE_NEWUSER: return "CLONE_NEWUSER";
	case CLONE_NEWPID: return "CLONE_NEWPID";
	case CLONE_NEWNET: return "CLONE_NEWNET";
	case CLONE_NEWCGROUP: return "CLONE_NEWCGROUP";
	case CLONE_NEWTIME: return "CLONE_NEWTIME";
	default: return NULL;
	}
}

/* ------------------------------------------------------------------ trace tasks */

struct child_start {
	int chan;          /* this child's channel end (made by the controller) */
	int close_parent;  /* the parent's channel, closed in the child unless the fd table is shared */
	int shared_files;
};

static void task_loop(int chan);

static int report_hello(int chan)
{
	char link[128], msg[160];
	ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
	int tid = -1;
	if (n > 0) {
		link[n] = 0;
		char *t = strrchr(link, '/');
		tid = atoi(t ? t + 1 : link);
	}
	snprintf(msg, sizeof msg, "hello %d", tid);
	return send_msg(chan, msg, -1);
}

static int child_entry(void *arg)
{
	struct child_start *cs = arg;
	int chan = cs->chan;
	if (!cs->shared_files)
		close(cs->close_parent);
	task_loop(chan);
	return 0;
}

/* fork. child_chan is the child's channel end, received from the controller (consumed: kept
 * only in the child). Returns the clone3 result (child pid in the caller's ns, or -errno). */
static long do_clone(int parent_chan, int child_chan, uint64_t flags, int want_pidfd, int *pidfd_out)
{
	struct clone_args_v2 ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = flags;
	ca.exit_signal = (flags & (CLONE_THREAD | CLONE_PARENT)) ? 0 : SIGCHLD;
	int pidfd = -1;
	if (want_pidfd) {
		ca.flags |= CLONE_PIDFD;
		ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	}
	struct child_start *cs = NULL;
	size_t stsz = 256 * 1024;
	char *stack = NULL;
	if (child_chan < 0)
		return -EBADF;
	if (flags & CLONE_VM) {
		stack = mmap(NULL, stsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED) {
			close(child_chan);
			return -ENOMEM;
		}
		cs = (struct child_start *)stack; /* bottom of the child's stack region: never overwritten */
		ca.stack = (uint64_t)(uintptr_t)(stack + 4096);
		ca.stack_size = stsz - 4096;
	} else {
		static struct child_start local; /* copied into the child's private memory */
		cs = &local;
	}
	cs->chan = child_chan;
	cs->close_parent = parent_chan;
	cs->shared_files = (flags & CLONE_FILES) != 0;
	long r;
	if (flags & CLONE_VM) {
		r = nsx_clone3_stack(&ca, sizeof ca, child_entry, cs);
	} else {
		r = syscall(__NR_clone3, &ca, sizeof ca);
		if (r == 0) {
			child_entry(cs);
			syscall(SYS_exit, 0);
		}
		if (r < 0)
			r = -errno;
	}
	if (r < 0) {
		close(child_chan);
		if (stack)
			munmap(stack, stsz);
		return r;
	}
	if (!(flags & CLONE_FILES))
		close(child_chan);
	*pidfd_out = pidfd;
	return r;
}

static int probe_exit(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 0);
	return 0;
}

static long do_probe(uint64_t flags)
{
	struct clone_args_v2 ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = flags;
	ca.exit_signal = (flags & (CLONE_THREAD | CLONE_PARENT)) ? 0 : SIGCHLD;
	long r;
	char *stack = NULL;
	size_t stsz = 64 * 1024;
	if (flags & CLONE_VM) {
		stack = mmap(NULL, stsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED)
			return -ENOMEM;
		ca.stack = (uint64_t)(uintptr_t)stack;
		ca.stack_size = stsz;
		r = nsx_clone3_stack(&ca, sizeof ca, probe_exit, NULL);
	} else {
		r = syscall(__NR_clone3, &ca, sizeof ca);
		if (r == 0)
			syscall(SYS_exit, 0);
		if (r < 0)
			r = -errno;
	}
	if (r < 0)
		return r;
	if (!(flags & (CLONE_THREAD | CLONE_PARENT)))
		waitpid((pid_t)r, NULL, __WALL);
	else
		usleep(2000);
	/* the VM child's stack is leaked on purpose: it may still be running its exit */
	return 0;
}

static void fmt_err(char *out, size_t n, int e)
{
	snprintf(out, n, "%s", errname(e));
}

static void ns_path(char *out, size_t n, const char *tid, const char *type)
{
	snprintf(out, n, "/proc/%s/ns/%s", tid, type);
}


static int side_stat(const char *side, struct stat *st)
{
	/* "f<N>" an fd, "t<hex>" a target path, or "p<tid>:<type>" */
	if (side[0] == 'f')
		return fstat(atoi(side + 1), st) < 0 ? -errno : 0;
	if (side[0] == 't') {
		char name[MSG_MAX], path[MSG_MAX + 64];
		if (hexdecode(side + 1, name, sizeof name) < 0)
			return -EINVAL;
		snprintf(path, sizeof path, WORKDIR "/%s", name);
		return stat(path, st) < 0 ? -errno : 0;
	}
	char path[128], tid[32];
	const char *colon = strchr(side + 1, ':');
	if (!colon)
		return -EINVAL;
	snprintf(tid, sizeof tid, "%.*s", (int)(colon - side - 1), side + 1);
	ns_path(path, sizeof path, tid, colon + 1);
	return stat(path, st) < 0 ? -errno : 0;
}

static void run_command(int chan, char *line, int gotfd, char *out, size_t on, int *passfd, int *exit_code)
{
	char *t[16] = { 0 };
	int n = split(line, t, 16);
	const char *op = n > 0 ? t[0] : "";
	*passfd = -1;
	*exit_code = -1;
	char s1[MSG_MAX], s2[MSG_MAX + 64], s3[MSG_MAX], path[MSG_MAX + 64];
	errno = 0;
	if (strcmp(op, "fork") && gotfd >= 0)
		close(gotfd);
	if (!strcmp(op, "fork")) {
		int pidfd = -1;
		long r = do_clone(chan, gotfd >= 0 ? to_high_fd(gotfd) : -1, (uint64_t)num(t[1]), (int)num(t[2]), &pidfd);
		if (r < 0)
			return fmt_err(out, on, (int)-r);
		if (pidfd >= 0)
			snprintf(out, on, "ok cpid=%ld pidfd=%d", r, pidfd);
		else
			snprintf(out, on, "ok cpid=%ld", r);
	} else if (!strcmp(op, "clone_probe")) {
		long r = do_probe((uint64_t)num(t[1]));
		if (r < 0)
			return fmt_err(out, on, (int)-r);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "exit")) {
		*exit_code = (int)num(t[1]);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "exec")) {
		/* execve this very program, which resumes serving the channel (main: --resume); every
		 * other fd is close-on-exec. On success the new image sends the reply. */
		char chs[32];
		int fl = fcntl(chan, F_GETFD);
		if (fl >= 0)
			fcntl(chan, F_SETFD, fl & ~FD_CLOEXEC);
		snprintf(chs, sizeof chs, "%d", chan);
		char *argv[] = { "nsexec", "--resume", chs, NULL };
		char *envp[] = { NULL };
		/* the thread's own exe link: /proc/self names the thread group, whose leader may be a zombie */
		execve("/proc/thread-self/exe", argv, envp);
		int e = errno;
		if (fl >= 0)
			fcntl(chan, F_SETFD, fl);
		return fmt_err(out, on, e);
	} else if (!strcmp(op, "wait")) {
		int p = pid_in_my_ns((int)num(t[1]));
		int st;
		pid_t r = waitpid(p, &st, WNOHANG | __WALL);
		if (r < 0)
			return fmt_err(out, on, errno);
		if (r == 0)
			return fmt_err(out, on, EAGAIN);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "unshare")) {
		if (unshare((int)num(t[1])) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "setns")) {
		if (setns((int)num(t[1]), (int)num(t[2])) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "open_ns")) {
		ns_path(path, sizeof path, t[1], t[2]);
		int fd = open(path, (num(t[3]) ? O_PATH : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok fd=%d", fd);
	} else if (!strcmp(op, "close")) {
		if (close((int)num(t[1])) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "bind_ns")) {
		/* bind_ns <srckind p|f> <tid-or-fd> <type|-> <target-hex> <dir> */
		if (hexdecode(t[4], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		if (t[1][0] == 'p')
			ns_path(path, sizeof path, t[2], t[3]);
		else
			snprintf(path, sizeof path, "/proc/thread-self/fd/%s", t[2]);
		snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		if (num(t[5]) == 2) {
			/* create: false, the target must exist */
		} else if (num(t[5])) {
			if (mkdir(s2, 0755) < 0 && errno != EEXIST)
				return fmt_err(out, on, errno);
		} else {
			/* create the target file if it does not exist; an existing directory stays (the
			 * mount itself then refuses the file-over-directory bind, ENOTDIR) */
			int fd = open(s2, O_CREAT | O_RDONLY | O_CLOEXEC, 0644);
			if (fd < 0 && errno != EISDIR)
				return fmt_err(out, on, errno);
			if (fd >= 0)
				close(fd);
		}
		if (mount(path, s2, NULL, MS_BIND, NULL) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "mount_fs")) {
		/* mount_fs <proc|sysfs|mqueue> <target-hex> <create> */
		if (hexdecode(t[2], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		if (num(t[3]) && mkdir(s2, 0755) < 0 && errno != EEXIST)
			return fmt_err(out, on, errno);
		if (mount(t[1], s2, t[1], MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "socket")) {
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok fd=%d", fd);
	} else if (!strcmp(op, "socketat")) {
		/* proposed in 2010-2011, never merged: Linux has no such system call */
		return fmt_err(out, on, ENOSYS);
	} else if (!strcmp(op, "create")) {
		if (hexdecode(t[1], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		if (num(t[2])) {
			if (mkdir(s2, 0755) < 0)
				return fmt_err(out, on, errno);
		} else {
			int fd = open(s2, O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0644);
			if (fd < 0)
				return fmt_err(out, on, errno);
			close(fd);
		}
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "unlink")) {
		struct stat st;
		if (hexdecode(t[1], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		/* a directory is removed with rmdir, a file with unlink (lstat: the name, not a mount on it) */
		if (lstat(s2, &st) < 0)
			return fmt_err(out, on, errno);
		if ((S_ISDIR(st.st_mode) ? rmdir(s2) : unlink(s2)) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "propagation")) {
		unsigned long fl = !strcmp(t[1], "shared") ? MS_SHARED : !strcmp(t[1], "private") ? MS_PRIVATE : !strcmp(t[1], "slave") ? MS_SLAVE : MS_UNBINDABLE;
		if (num(t[3]))
			fl |= MS_REC;
		if (!strcmp(t[2], "-"))
			snprintf(s2, sizeof s2, WORKDIR);
		else {
			if (hexdecode(t[2], s1, sizeof s1) < 0)
				return fmt_err(out, on, EINVAL);
			snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		}
		if (mount(NULL, s2, NULL, fl, NULL) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "open_bind")) {
		if (hexdecode(t[1], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		int fd = open(s2, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok fd=%d", fd);
	} else if (!strcmp(op, "umount")) {
		if (hexdecode(t[1], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		snprintf(s2, sizeof s2, WORKDIR "/%s", s1);
		if (umount2(s2, num(t[2]) ? MNT_DETACH : 0) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "ioctl_ns")) {
		int fd = (int)num(t[1]);
		const char *req = t[2] ? t[2] : "";
		if (!strcmp(req, "NS_GET_USERNS") || !strcmp(req, "NS_GET_PARENT")) {
			int r = ioctl(fd, !strcmp(req, "NS_GET_USERNS") ? NS_GET_USERNS : NS_GET_PARENT);
			if (r < 0)
				return fmt_err(out, on, errno);
			snprintf(out, on, "ok fd=%d", r);
		} else if (!strcmp(req, "SIOCGSKNS")) {
			int r = ioctl(fd, SIOCGSKNS);
			if (r < 0)
				return fmt_err(out, on, errno);
			snprintf(out, on, "ok fd=%d", r);
		} else if (!strcmp(req, "NS_GET_NSTYPE")) {
			int r = ioctl(fd, NS_GET_NSTYPE);
			if (r < 0)
				return fmt_err(out, on, errno);
			const char *nm = nstype_name(r);
			if (nm)
				snprintf(out, on, "nstype=%s", nm);
			else
				snprintf(out, on, "nstype=%d", r);
		} else if (!strcmp(req, "NS_GET_OWNER_UID")) {
			uid_t u = 0;
			if (ioctl(fd, NS_GET_OWNER_UID, &u) < 0)
				return fmt_err(out, on, errno);
			snprintf(out, on, "uid=%u", (unsigned)u);
		} else if (!strcmp(req, "NS_GET_ID") || !strcmp(req, "NS_GET_MNTNS_ID")) {
			uint64_t id = 0;
			if (ioctl(fd, !strcmp(req, "NS_GET_ID") ? NS_GET_ID : NS_GET_MNTNS_ID, &id) < 0)
				return fmt_err(out, on, errno);
			snprintf(out, on, "ok");
		} else {
			if (ioctl(fd, NS_UNKNOWN_IOCTL) < 0)
				return fmt_err(out, on, errno);
			snprintf(out, on, "ok");
		}
	} else if (!strcmp(op, "readlink_ns")) {
		ns_path(path, sizeof path, t[1], t[2]);
		ssize_t r = readlink(path, s1, sizeof s1 - 1);
		if (r < 0)
			return fmt_err(out, on, errno);
		s1[r] = 0;
		snprintf(out, on, "%s", s1);
	} else if (!strcmp(op, "same_ns")) {
		struct stat a, b;
		int e = side_stat(t[1], &a);
		if (e < 0)
			return fmt_err(out, on, -e);
		e = side_stat(t[2], &b);
		if (e < 0)
			return fmt_err(out, on, -e);
		snprintf(out, on, "%s", (a.st_dev == b.st_dev && a.st_ino == b.st_ino) ? "same" : "different");
	} else if (!strcmp(op, "pidfd_open")) {
		int p = pid_in_my_ns((int)num(t[1]));
		int fd = (int)syscall(__NR_pidfd_open, p, 0);
		if (fd < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok fd=%d", fd);
	} else if (!strcmp(op, "getpid")) {
		snprintf(out, on, "pid=%d", getpid());
	} else if (!strcmp(op, "getppid")) {
		snprintf(out, on, "ppid=%d", getppid());
	} else if (!strcmp(op, "sethostname")) {
		if (hexdecode(t[1], s1, sizeof s1) < 0)
			return fmt_err(out, on, EINVAL);
		if (sethostname(s1, strlen(s1)) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "gethostname")) {
		if (gethostname(s1, 256) < 0)
			return fmt_err(out, on, errno);
		s1[255] = 0;
		snprintf(out, on, "hostname=%.255s", s1);
	} else if (!strcmp(op, "drop_caps")) {
		const char *m = t[1] ? t[1] : "";
		int r;
		if (!strcmp(m, "nobody")) {
			r = setgroups(0, NULL);
			if (r == 0)
				r = (int)syscall(SYS_setresgid, 65534, 65534, 65534);
			if (r == 0)
				r = (int)syscall(SYS_setresuid, 65534, 65534, 65534);
		} else if (!strcmp(m, "seteuid_nobody")) {
			r = (int)syscall(SYS_setresuid, -1, 65534, -1);
		} else if (!strcmp(m, "capset_zero") || !strcmp(m, "capset_admin")) {
			/* capset_admin keeps CAP_SYS_ADMIN (21) alone in the effective and permitted sets */
			struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
			struct __user_cap_data_struct d[2];
			memset(d, 0, sizeof d);
			if (!strcmp(m, "capset_admin"))
				d[0].effective = d[0].permitted = 1u << 21;
			r = (int)syscall(SYS_capset, &h, d);
		} else {
			errno = EINVAL;
			r = -1;
		}
		if (r < 0)
			return fmt_err(out, on, errno);
		/* commit_creds() made the task non-dumpable (its euid or capabilities changed), which
		 * would make /proc/<pid> of it and of its future children root-owned. A trace means "a
		 * task running as nobody", so look like one that was started that way. */
		prctl(PR_SET_DUMPABLE, 1);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "setresuid") || !strcmp(op, "setresgid")) {
		long r = syscall(!strcmp(op, "setresuid") ? SYS_setresuid : SYS_setresgid, (int)num(t[1]), (int)num(t[2]), (int)num(t[3]));
		if (r < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "setgroups")) {
		gid_t g[64];
		int n = 0;
		if (strcmp(t[1], "-")) {
			for (char *p = t[1]; *p && n < 64;) {
				char *end;
				g[n++] = (gid_t)strtol(p, &end, 10);
				p = *end == ',' ? end + 1 : end;
				if (end == p && *p)
					break;
			}
		}
		if (setgroups((size_t)n, g) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "capset")) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof d);
		d[0].effective = (uint32_t)strtoul(t[1], NULL, 10);
		d[1].effective = (uint32_t)strtoul(t[2], NULL, 10);
		d[0].permitted = (uint32_t)strtoul(t[3], NULL, 10);
		d[1].permitted = (uint32_t)strtoul(t[4], NULL, 10);
		if (syscall(SYS_capset, &h, d) < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "write_map")) {
		/* write_map <tid> <uid-hex|-> <gid-hex|-> <setgroups-hex|-> */
		if (hexdecode(t[2], s1, sizeof s1 - 2) < 0 || hexdecode(t[3], s2, sizeof s2 - 2) < 0 ||
		    hexdecode(t[4], s3, sizeof s3) < 0)
			return fmt_err(out, on, EINVAL);
		int e = 0;
		if (s3[0]) {
			snprintf(path, sizeof path, "/proc/%s/setgroups", t[1]);
			e = write_file(path, s3);
		}
		if (!e && s1[0]) {
			strcat(s1, "\n");
			snprintf(path, sizeof path, "/proc/%s/uid_map", t[1]);
			e = write_file(path, s1);
		}
		if (!e && s2[0]) {
			strcat(s2, "\n");
			snprintf(path, sizeof path, "/proc/%s/gid_map", t[1]);
			e = write_file(path, s2);
		}
		if (e < 0)
			return fmt_err(out, on, -e);
		snprintf(out, on, "ok");
	} else if (!strcmp(op, "open_file")) {
		int fd;
		if (num(t[1])) {
			fd = open(WORKDIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else {
			/* a fresh name each time: the counter restarts after an exec, and a name taken
			   by another user in the sticky directory would be EACCES (protected_regular) */
			static unsigned counter;
			do {
				snprintf(path, sizeof path, WORKDIR "/.file-%d-%u", (int)syscall(SYS_gettid), counter++);
				fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			} while (fd < 0 && errno == EEXIST);
		}
		if (fd < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok fd=%d", fd);
	} else if (!strcmp(op, "shm_create") || !strcmp(op, "shm_lookup")) {
		int create = !strcmp(op, "shm_create");
		int r = shmget((key_t)num(t[1]), create ? 4096 : 0, create ? (IPC_CREAT | 0600) : 0);
		if (r < 0)
			return fmt_err(out, on, errno);
		snprintf(out, on, "ok");
	} else {
		snprintf(out, on, "EXEC_UNKNOWN_OP");
	}
}

static void task_loop(int chan)
{
	if (report_hello(chan) < 0)
		syscall(SYS_exit, 111);
	char line[MSG_MAX], out[MSG_MAX];
	for (;;) {
		int gotfd = -1;
		ssize_t n = recv_msg(chan, line, sizeof line, &gotfd);
		if (n <= 0)
			syscall(SYS_exit, 112); /* controller gone */
		int passfd, code;
		run_command(chan, line, gotfd, out, sizeof out, &passfd, &code);
		send_msg(chan, out, passfd);
		if (passfd >= 0)
			close(passfd);
		if (code >= 0) {
			syscall(SYS_exit, code);
		}
	}
}

/* ------------------------------------------------------------------ sandbox init */

static void noop_handler(int s)
{
	(void)s;
}

static int sandbox_init(int p_chan, int other_end, int ready_w)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "nsexec-init");
	close(other_end);
	/* a fresh procfs for the sandbox pid ns */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		dprintf(ready_w, "FATAL mount /proc: %s\n", strerror(errno));
		_exit(1);
	}
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	struct sigaction sa = { .sa_handler = noop_handler };
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &all, NULL);

	pid_t p = fork();
	if (p < 0) {
		dprintf(ready_w, "FATAL fork P: %s\n", strerror(errno));
		_exit(1);
	}
	if (p == 0) {
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGCHLD, SIG_DFL);
		close(ready_w);
		prctl(PR_SET_NAME, "nsexec-task");
		task_loop(p_chan);
		_exit(0);
	}
	close(p_chan);
	close(ready_w);
	/* reap everything, forever; SIGKILL from the controller ends the whole pid namespace */
	for (;;) {
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
		sigsuspend(&none);
	}
}

/* ------------------------------------------------------------------ controller */

struct task {
	int chan;
	int tid; /* pid as seen by the sandbox procfs */
	int used;
};
static struct task tasks[MAX_TASKS];
static pid_t init_pid = -1;

static void teardown(void)
{
	if (init_pid > 0) {
		kill(init_pid, SIGKILL);
		waitpid(init_pid, NULL, __WALL);
		init_pid = -1;
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if the task with this procfs pid has exited (zombie, dead, or gone), else 0. */
static int task_exited(int tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	char *rp = strrchr(buf, ')');
	if (!rp || rp[1] == 0)
		return 1;
	char st = rp[2];
	return st == 'Z' || st == 'X' || st == 'x';
}

/* wait for a message on fd with a deadline; 1 got, 0 timeout, -1 EOF/error */
static int recv_deadline(int fd, char *buf, size_t sz, int *gotfd, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int r = poll(&pf, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return 0;
		if (r < 0)
			return -1;
		if (pf.revents & POLLIN) {
			ssize_t n = recv_msg(fd, buf, sz, gotfd);
			return n > 0 ? 1 : -1;
		}
		return -1;
	}
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
NSX_UNUSED static void reply(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Run one step "S <task> <timeout_ms> <op> <args...>"; the reply body (without "R ") goes to res. */
static void step_result(char *line, char *res, size_t rn)
{
	char *rest = line;
	char *save = NULL;
	strtok_r(rest, " \n", &save); /* "S" */
	int ti = atoi(strtok_r(NULL, " \n", &save) ?: "-1");
	int timeout = atoi(strtok_r(NULL, " \n", &save) ?: "1000");
	char *cmd = save; /* the remainder: op and args, sent to the task as is */
	if (!cmd)
		cmd = "";
	while (*cmd == ' ')
		cmd++;
	char opname[64];
	snprintf(opname, sizeof opname, "%.63s", cmd);
	char *sp = strpbrk(opname, " \n");
	if (sp)
		*sp = 0;
	if (ti < 0 || ti >= MAX_TASKS || !tasks[ti].used) {
		snprintf(res, rn, "ESRCH");
		return;
	}
	struct task *tk = &tasks[ti];
	if (task_exited(tk->tid)) {
		snprintf(res, rn, "ESRCH");
		return;
	}
	char c2[MSG_MAX];
	snprintf(c2, sizeof c2, "%.*s", MSG_MAX - 1, cmd);
	size_t l = strlen(c2);
	if (l && c2[l - 1] == '\n')
		c2[l - 1] = 0;
	int child_id = -1;
	int sv[2] = { -1, -1 };
	if (!strcmp(opname, "fork")) {
		/* fork <child_id> <flags> <pidfd>: the child id is the controller's, strip it */
		char *tok[8];
		char tmp[MSG_MAX];
		snprintf(tmp, sizeof tmp, "%s", c2);
		int n = split(tmp, tok, 8);
		if (n < 4) {
			snprintf(res, rn, "EXEC_BAD_COMMAND");
			return;
		}
		child_id = atoi(tok[1]);
		if (child_id < 0 || child_id >= MAX_TASKS || tasks[child_id].used) {
			snprintf(res, rn, "EXEC_BAD_COMMAND");
			return;
		}
		snprintf(c2, sizeof c2, "fork %.64s %.64s", tok[2], tok[3]);
		/* the child's channel, made here in the sandbox's network namespace */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			snprintf(res, rn, "EXEC_NO_CHANNEL");
			return;
		}
		sv[0] = to_high_fd(sv[0]);
	}
	long long deadline = now_ms() + timeout;
	int sent = send_msg(tk->chan, c2, sv[1]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (sent < 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		snprintf(res, rn, "ESRCH");
		return;
	}
	char resp[MSG_MAX];
	int gotfd = -1;
	int r = recv_deadline(tk->chan, resp, sizeof resp, &gotfd, deadline);
	if (gotfd >= 0)
		close(gotfd);
	if (r <= 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		snprintf(res, rn, "%s", r == 0 ? "TIMEOUT" : "ESRCH");
		return;
	}
	if (child_id >= 0) {
		if (strncmp(resp, "ok", 2)) {
			close(sv[0]);
			snprintf(res, rn, "%s", resp);
			return;
		}
		char hello[128];
		int r2 = recv_deadline(sv[0], hello, sizeof hello, NULL, deadline);
		if (r2 == 0) {
			snprintf(res, rn, "TIMEOUT");
			return;
		}
		if (r2 < 0 || strncmp(hello, "hello ", 6)) {
			snprintf(res, rn, "EXEC_CHILD_NO_HELLO");
			return;
		}
		tasks[child_id].used = 1;
		tasks[child_id].chan = sv[0];
		tasks[child_id].tid = atoi(hello + 6);
		snprintf(res, rn, "%.4000s tid=%d", resp, tasks[child_id].tid);
		return;
	}
	if (!strcmp(opname, "exec") && !strncmp(resp, "ok tid=", 7)) {
		/* a thread that execs takes over the thread-group id */
		tk->tid = atoi(resp + 7);
		snprintf(res, rn, "%s", resp);
		return;
	}
	if (!strcmp(opname, "exit") && !strcmp(resp, "ok")) {
		/* the step completes when the task has really exited */
		while (!task_exited(tk->tid)) {
			if (now_ms() > deadline) {
				snprintf(res, rn, "TIMEOUT");
				return;
			}
			usleep(200);
		}
	}
	snprintf(res, rn, "%s", resp);
}

/* Is some child of the sandbox init a zombie it has not reaped yet, or one it is reaping (EXIT_DEAD,
 * 'X': /proc/<pid> still answers until release_task unhashes it)? /proc here is the sandbox's own
 * procfs (the init mounted it in the mount namespace the controller shares), where the init is
 * pid 1; init_pid is its number in the host pid namespace. */
static int init_has_zombie_child(void)
{
	char path[96], list[4096];
	snprintf(path, sizeof path, "/proc/1/task/1/children");
	if (init_pid <= 0 || read_small(path, list, sizeof list) < 0)
		return 0;
	for (char *tok = strtok(list, " \n"); tok; tok = strtok(NULL, " \n")) {
		char stat[512];
		snprintf(path, sizeof path, "/proc/%s/stat", tok);
		if (read_small(path, stat, sizeof stat) < 0)
			continue;
		char *close_paren = strrchr(stat, ')');
		if (!close_paren || close_paren[1] != ' ')
			continue;
		char st = close_paren[2];
		if (st == 'X' || st == 'x')
			return 1;
		if (st != 'Z')
			continue;
		/* a leader whose other threads still run is a zombie nobody can reap yet
		 * (delay_group_leader): it is not pending */
		char status[2048];
		snprintf(path, sizeof path, "/proc/%s/status", tok);
		if (read_small(path, status, sizeof status) >= 0) {
			char *th = strstr(status, "\nThreads:");
			if (th && atoi(th + 9) > 1)
				continue;
		}
		return 1;
	}
	return 0;
}

/* One step, and the reaping it causes (used by the controller and by exported reproducers). */
static void step_settled(char *line, char *res, size_t rn)
{
	/* "S <task> <timeout_ms> ...": the step's own time limit bounds the wait below too */
	int timeout = 1000;
	sscanf(line, "S %*d %d", &timeout);
	long long until = now_ms() + (timeout > 0 ? timeout : 1000);
	step_result(line, res, rn);
	/* The trace format says an orphan is reaped at once by the init outside the trace; the
	 * sandbox init does it asynchronously, so the step is not over until it has: on a loaded
	 * machine that can take long, and answering early would let the next step see a zombie the
	 * model has already reaped. Past the step's limit the result is TIMEOUT, never a guess. */
	while (init_has_zombie_child()) {
		if (now_ms() > until) {
			snprintf(res, rn, "TIMEOUT");
			break;
		}
		usleep(200);
	}
}

NSX_UNUSED static void do_step(char *line)
{
	char res[MSG_MAX];
	step_settled(line, res, sizeof res);
	reply("R %s", res);
}

/* ------------------------------------------------------------------ namespace liveness
 *
 * Since 6.18 nsfs supports file handles: name_to_handle_at() on /proc/<pid>/ns/<type> gives a
 * FILEID_NSFS handle {u64 ns_id, u32 ns_type, u32 inum}, and open_by_handle_at(FD_NSFS_ROOT, ...)
 * looks the namespace up by its id and fails ESTALE once its reference count has dropped to
 * zero. The controller (global root, outside every sandbox namespace but the mount one) records
 * one handle per namespace it sees and asks later which are still alive. Frees that the kernel
 * defers (a user namespace held by a reaped task's cred is put after RCU grace periods) show up
 * late: the driver asks again for a bounded time. */

#ifndef FD_NSFS_ROOT
#define FD_NSFS_ROOT -10003
#endif
#define MAX_NS_HANDLES 4096

struct ns_handle {
	uint64_t id;
	struct file_handle fh;
	unsigned char bytes[MAX_HANDLE_SZ];
};
static struct ns_handle *ns_handles;
static int n_ns_handles;

static const char *const NS_ENTRIES[] = { "net", "uts", "ipc", "pid", "pid_for_children", "user", "mnt", "cgroup", "time", "time_for_children" };

NSX_UNUSED static void record_handles(char *line, char *res, size_t rn)
{
	int ti = atoi(line + 1);
	res[0] = 0;
	if (ti < 0 || ti >= MAX_TASKS || !tasks[ti].used) {
		snprintf(res, rn, "ESRCH");
		return;
	}
	if (!ns_handles)
		ns_handles = calloc(MAX_NS_HANDLES, sizeof *ns_handles);
	size_t off = 0;
	for (size_t i = 0; i < sizeof NS_ENTRIES / sizeof NS_ENTRIES[0]; i++) {
		char path[96];
		snprintf(path, sizeof path, "/proc/%d/ns/%s", tasks[ti].tid, NS_ENTRIES[i]);
		struct ns_handle h;
		memset(&h, 0, sizeof h);
		h.fh.handle_bytes = MAX_HANDLE_SZ;
		int mnt_id;
		int w;
		if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt_id, AT_SYMLINK_FOLLOW) < 0 || h.fh.handle_bytes < 16) {
			w = snprintf(res + off, rn - off, "%s%s=%s", off ? " " : "", NS_ENTRIES[i], errname(errno ? errno : EINVAL));
		} else {
			uint32_t inum;
			memcpy(&h.id, h.fh.f_handle, 8);
			memcpy(&inum, h.fh.f_handle + 12, 4);
			int known = 0;
			for (int k = 0; k < n_ns_handles; k++)
				if (ns_handles[k].id == h.id)
					known = 1;
			if (!known && ns_handles && n_ns_handles < MAX_NS_HANDLES)
				ns_handles[n_ns_handles++] = h;
			w = snprintf(res + off, rn - off, "%s%s=%llu:%u", off ? " " : "", NS_ENTRIES[i], (unsigned long long)h.id, inum);
		}
		if (w < 0 || (size_t)w >= rn - off)
			break;
		off += (size_t)w;
	}
}

NSX_UNUSED static void report_liveness(char *out, size_t on)
{
	size_t off = 0;
	out[0] = 0;
	for (int k = 0; k < n_ns_handles; k++) {
		int fd = open_by_handle_at(FD_NSFS_ROOT, &ns_handles[k].fh, O_RDONLY | O_CLOEXEC);
		const char *st = "alive";
		if (fd < 0)
			st = errname(errno);
		else
			close(fd);
		int w = snprintf(out + off, on - off, "%s%llu=%s", off ? " " : "", (unsigned long long)ns_handles[k].id, st);
		if (w < 0 || (size_t)w >= on - off)
			break;
		off += (size_t)w;
	}
}

NSX_UNUSED static void on_signal(int s)
{
	(void)s;
	if (init_pid > 0)
		kill(init_pid, SIGKILL);
	_exit(3);
}

/* Build the sandbox and start task P (tasks[0]). 0 on success; otherwise -1 with a message. */
static int sandbox_start(char *err, size_t en)
{
	/* Pin the whole sandbox to one CPU. Since 6.18 namespace ids come from per-CPU batches, so
	 * they follow creation order only on one CPU, and mnt_ns_loop() orders mount namespaces by id:
	 * on several CPUs "bind a newer mount namespace" succeeds or fails EINVAL at random. */
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
		/* NSEXEC_CPU picks which allowed CPU (modulo their number): sandboxes run side by side */
		const char *want = getenv("NSEXEC_CPU");
		int n = CPU_COUNT(&cpus), pick = want ? atoi(want) : 0, seen = 0;
		if (n > 0)
			pick = ((pick % n) + n) % n;
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (CPU_ISSET(c, &cpus) && seen++ == pick) {
				CPU_ZERO(&cpus);
				CPU_SET(c, &cpus);
				sched_setaffinity(0, sizeof cpus, &cpus);
				break;
			}
		}
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID) < 0) {
		snprintf(err, en, "unshare(NEWNS|NEWUTS|NEWIPC|NEWNET|NEWPID): %s", strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(err, en, "mount --make-rprivate /: %s", strerror(errno));
		return -1;
	}
	if (mount("nscheck", WORKDIR, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=16m") < 0) {
		snprintf(err, en, "mount tmpfs on " WORKDIR ": %s", strerror(errno));
		return -1;
	}
	if (sethostname("nscheck", 7) < 0) {
		snprintf(err, en, "sethostname: %s", strerror(errno));
		return -1;
	}
	int sv[2], rp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(rp, O_CLOEXEC) < 0) {
		snprintf(err, en, "socketpair: %s", strerror(errno));
		return -1;
	}
	sv[0] = to_high_fd(sv[0]);
	sv[1] = to_high_fd(sv[1]);
	fflush(stdout);
	init_pid = fork();
	if (init_pid < 0) {
		snprintf(err, en, "fork sandbox init: %s", strerror(errno));
		return -1;
	}
	if (init_pid == 0) {
		close(rp[0]);
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		if (devnull > 2)
			close(devnull);
		sandbox_init(sv[1], sv[0], rp[1]);
		_exit(0);
	}
	close(sv[1]);
	close(rp[1]);
	char buf[MSG_MAX];
	ssize_t n = read(rp[0], buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = 0;
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = 0;
		/* the init wrote "FATAL <message>" */
		snprintf(err, en, "%s", strncmp(buf, "FATAL ", 6) ? buf : buf + 6);
		teardown();
		return -1;
	}
	close(rp[0]);
	tasks[0].used = 1;
	tasks[0].chan = sv[0];
	if (recv_deadline(sv[0], buf, sizeof buf, NULL, now_ms() + 5000) != 1 || strncmp(buf, "hello ", 6)) {
		snprintf(err, en, "task P did not start");
		teardown();
		return -1;
	}
	tasks[0].tid = atoi(buf + 6);
	return 0;
}

/* A task that called exec: the new image answers the exec step and serves the channel again. */
static int resume_after_exec(int chan)
{
	/* the tid as the sandbox's procfs numbers it (as report_hello does), not in the task's own pid ns */
	char msg[64], link[128];
	int tid = -1;
	ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
	if (n > 0) {
		link[n] = 0;
		char *t = strrchr(link, '/');
		tid = atoi(t ? t + 1 : link);
	}
	snprintf(msg, sizeof msg, "ok tid=%d", tid);
	fcntl(chan, F_SETFD, FD_CLOEXEC);
	if (send_msg(chan, msg, -1) < 0)
		return 112;
	char line[MSG_MAX], out[MSG_MAX];
	for (;;) {
		int gotfd = -1;
		ssize_t n = recv_msg(chan, line, sizeof line, &gotfd);
		if (n <= 0)
			syscall(SYS_exit, 112);
		int passfd, code;
		run_command(chan, line, gotfd, out, sizeof out, &passfd, &code);
		send_msg(chan, out, passfd);
		if (passfd >= 0)
			close(passfd);
		if (code >= 0)
			syscall(SYS_exit, code);
	}
}

#ifndef NSX_EMBEDDED
int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--resume"))
		return resume_after_exec(atoi(argv[2]));
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1) /* the driver died before we set the death signal */
		return 3;
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (geteuid() != 0) {
		reply("FATAL nsexec must run as root (euid %d)", geteuid());
		return 2;
	}
	char err[MSG_MAX];
	if (sandbox_start(err, sizeof err) < 0) {
		reply("FATAL %s", err);
		return 2;
	}
	reply("READY %d", tasks[0].tid);

	char *line = NULL;
	size_t cap = 0;
	size_t bigsz = 256 * 1024;
	char *big = malloc(bigsz);
	while (getline(&line, &cap, stdin) > 0) {
		if (line[0] == 'S') {
			do_step(line);
		} else if (line[0] == 'H') {
			record_handles(line, big, bigsz);
			reply("R %s", big);
		} else if (line[0] == 'L') {
			report_liveness(big, bigsz);
			reply("R %s", big);
		} else if (line[0] == 'Q') {
			break;
		}
	}
	teardown();
	reply("BYE");
	return 0;
}
#endif
