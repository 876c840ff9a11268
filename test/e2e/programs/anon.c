/*
 * anon: holds one kind of memory that the kernel shows in /proc/PID/maps as a
 * "(deleted)" file although no file on disk was ever replaced.
 *
 *   anon memfd NAME   memfd_create(NAME) mapped PROT_EXEC  -> "/memfd:NAME (deleted)"
 *   anon dev-zero     MAP_SHARED|MAP_ANONYMOUS             -> "/dev/zero (deleted)"
 *   anon sysv-shm     shmget + shmat (segment then removed) -> "/SYSV00000000 (deleted)"
 *   anon aio          io_setup                              -> "/[aio] (deleted)"
 *
 * Prints "ready\n" once mapped, then sleeps until killed.
 */
#define _GNU_SOURCE
#include <linux/aio_abi.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "memfd") == 0 && argc > 2) {
    int fd = memfd_create(argv[2], 0);
    if (fd < 0 || ftruncate(fd, 4096) != 0) { perror("anon: memfd_create"); return 1; }
    if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0) == MAP_FAILED) { perror("anon: mmap"); return 1; }
  } else if (strcmp(mode, "dev-zero") == 0) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("anon: mmap"); return 1; }
    memset(p, 1, 4096);
  } else if (strcmp(mode, "sysv-shm") == 0) {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (id < 0) { perror("anon: shmget"); return 1; }
    void *p = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL); /* nothing left behind when the test kills us */
    if (p == (void *)-1) { perror("anon: shmat"); return 1; }
  } else if (strcmp(mode, "aio") == 0) {
    aio_context_t ctx = 0;
    if (syscall(SYS_io_setup, 8, &ctx) != 0) { perror("anon: io_setup"); return 1; }
  } else {
    fprintf(stderr, "usage: anon memfd NAME | dev-zero | sysv-shm | aio\n");
    return 2;
  }
  fputs("ready\n", stdout);
  fflush(stdout);
  for (;;) pause();
}
