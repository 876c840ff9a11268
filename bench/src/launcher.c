/*
 * apbench-launcher: starts and owns the benchmark processes.
 *
 *   1. creates the false-positive material (a file in /dev/shm, one in /tmp, a log file, a SysV shm
 *      segment), then starts COUNT "stale" holders, writes their pids to OUTDIR/stale.pids and
 *      creates OUTDIR/stale.ready;
 *   2. waits for SIGUSR1 (sent once run.sh has replaced the library), starts COUNT "fresh" holders,
 *      deletes the /dev/shm, /tmp and log files and marks the shm segment removed, writes
 *      OUTDIR/fresh.pids and creates OUTDIR/fresh.ready;
 *   3. waits for SIGTERM/SIGINT/SIGHUP (or the death of its parent), SIGKILLs every holder and exits.
 * Holders also block on a "lifeline" pipe whose only write end is here: whatever kills the launcher,
 * even SIGKILL, makes every holder exit.
 *
 * With DETACH=1 holders are double-forked so their parent is PID 1, like daemons (needrestart
 * otherwise folds children into their parent process).
 *
 * usage: apbench-launcher COUNT HOLDER OUTDIR SHM_FILE TMP_FILE LOG_FILE DETACH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static int count, detach, shmid = -1, lifeline[2], readyp[2];
static const char *holder, *outdir, *shm_file, *tmp_file, *log_file;
static pid_t *pids;
static int npids;
static sigset_t mask;

static void remove_material(void) {
  unlink(shm_file);
  unlink(tmp_file);
  unlink(log_file);
  if (shmid >= 0) shmctl(shmid, IPC_RMID, NULL);
  shmid = -1;
}

static void kill_all(void) {
  for (int i = 0; i < npids; i++) kill(pids[i], SIGKILL);
  close(lifeline[1]);
  if (!detach)
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }
}

static void die(const char *what) {
  fprintf(stderr, "apbench-launcher: %s: %s\n", what, strerror(errno));
  kill_all();
  remove_material();
  exit(1);
}

static void make_file(const char *path) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) die(path);
  close(fd);
}

static void write_file(const char *name, const char *suffix, int first, int n) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/%s%s", outdir, name, suffix);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) die(tmp);
  for (int i = first; i < first + n; i++) fprintf(f, "%d\n", pids[i]);
  if (fclose(f) != 0 || rename(tmp, path) != 0) die(path);
}

static void spawn(const char *phase) {
  char lf[16], rf[16], sf[16];
  snprintf(lf, sizeof lf, "%d", lifeline[0]);
  snprintf(rf, sizeof rf, "%d", readyp[1]);
  snprintf(sf, sizeof sf, "%d", shmid);
  int first = npids;
  for (int i = 0; i < count; i++) {
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) {
      if (detach) {
        setsid();
        pid_t g = fork();
        if (g != 0) _exit(g < 0);
      }
      sigprocmask(SIG_UNBLOCK, &mask, NULL);
      execl(holder, holder, phase, lf, rf, sf, shm_file, tmp_file, (char *)NULL);
      _exit(127); /* reported as a missing pid by the timeout below */
    }
    if (detach) waitpid(c, NULL, 0);
    else pids[npids++] = c; /* known now, so an early failure still kills it */
  }
  /* Each holder writes its pid once its mappings are in place (0 if its setup failed). */
  for (int got = 0; got < count;) {
    struct pollfd p = {.fd = readyp[0], .events = POLLIN};
    int r = poll(&p, 1, 30000);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      errno = ETIMEDOUT;
      die("waiting for holders");
    }
    int pid;
    if (read(readyp[0], &pid, sizeof pid) != sizeof pid) die("read ready pipe");
    if (pid <= 0) {
      errno = EINVAL;
      die("a holder failed to set up");
    }
    if (detach) pids[npids++] = pid;
    got++;
  }
  write_file(phase, ".pids", first, count);
}

static int wait_signal(void) {
  for (;;) {
    int s = sigwaitinfo(&mask, NULL);
    if (s > 0) return s;
    if (errno != EINTR) die("sigwaitinfo");
  }
}

static void touch(const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", outdir, name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die(path);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s COUNT HOLDER OUTDIR SHM_FILE TMP_FILE LOG_FILE DETACH\n", argv[0]);
    return 2;
  }
  count = atoi(argv[1]);
  holder = argv[2], outdir = argv[3], shm_file = argv[4], tmp_file = argv[5], log_file = argv[6];
  detach = atoi(argv[7]);
  pids = calloc(2 * (size_t)count + 1, sizeof *pids);
  if (count <= 0 || !pids) return 2;

  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR1);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM); /* run.sh gone → clean up */
  if (getppid() != parent) return 1;

  if (pipe(lifeline) != 0 || pipe(readyp) != 0) die("pipe");
  fcntl(lifeline[1], F_SETFD, FD_CLOEXEC);
  fcntl(readyp[0], F_SETFD, FD_CLOEXEC);

  make_file(shm_file);
  make_file(tmp_file);
  int logfd = open(log_file, O_WRONLY | O_CREAT | O_APPEND, 0640); /* inherited by every holder */
  if (logfd < 0 || write(logfd, "apbench log\n", 12) != 12) die(log_file);
  shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  if (shmid < 0) die("shmget");

  spawn("stale");
  touch("stale.ready");
  if (wait_signal() == SIGUSR1) {
    spawn("fresh");
    remove_material(); /* every holder has them mapped/open now: they become "(deleted)" */
    close(logfd);
    touch("fresh.ready");
    wait_signal();
  }
  kill_all();
  remove_material();
  return 0;
}
