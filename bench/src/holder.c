/*
 * apbench-holder: one benchmark process. Links libapbench.so.1 (the library the bench replaces) and
 * holds every false-positive case a scanner must not report:
 *   memfd mapping, shared anonymous memory ("/dev/zero (deleted)"), a SysV shm segment (shmat),
 *   a mapped file in /dev/shm and one in /tmp (both deleted by the launcher once all holders run),
 *   and a log file held open (fd inherited from the launcher, deleted by it).
 * Reports its pid (or 0 on failure) on ready_fd, then blocks on lifeline_fd: when the launcher dies
 * for any reason, the pipe reaches EOF and the holder exits, so no holder outlives the bench.
 *
 * usage: apbench-holder PHASE LIFELINE_FD READY_FD SHMID SHM_FILE TMP_FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

extern int apbench_version(void);

static void *map_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MAP_FAILED;
  void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s PHASE LIFELINE_FD READY_FD SHMID SHM_FILE TMP_FILE\n", argv[0]);
    return 2;
  }
  int lifeline = atoi(argv[2]), ready = atoi(argv[3]), shmid = atoi(argv[4]);
  int ok = apbench_version() > 0;

  int mfd = memfd_create("apbench", MFD_CLOEXEC);
  ok = ok && mfd >= 0 && ftruncate(mfd, 4096) == 0 &&
       mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0) != MAP_FAILED;
  if (mfd >= 0) close(mfd);
  ok = ok && mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) != MAP_FAILED;
  ok = ok && shmat(shmid, NULL, SHM_RDONLY) != (void *)-1;
  ok = ok && map_file(argv[5]) != MAP_FAILED;
  ok = ok && map_file(argv[6]) != MAP_FAILED;

  int msg = ok ? (int)getpid() : 0;
  if (!ok) perror("apbench-holder: setup");
  if (write(ready, &msg, sizeof msg) != sizeof msg) return 1;
  close(ready);
  if (!ok) return 1;

  char c;
  for (;;) {
    ssize_t r = read(lifeline, &c, 1);
    if (r == 0 || (r < 0 && errno != EINTR)) return 0;
  }
}
