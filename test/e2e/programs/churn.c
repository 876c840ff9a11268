/*
 * churn: makes processes appear and vanish while afterpatch scans.
 *
 *   churn LIBRARY
 *
 * dlopen()s LIBRARY, prints "ready\n", then waits for one byte on stdin (the test
 * replaces LIBRARY in between, so every child inherits a stale mapping and is worth
 * reading in full). Then it forks without end: some children exit at once, some after
 * a short random sleep, some execve() /bin/true (their maps change under the reader);
 * exited children stay zombies until the next round. Killed by the test's process group.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: churn LIBRARY\n"); return 2; }
  if (dlopen(argv[1], RTLD_NOW) == NULL) { fprintf(stderr, "churn: dlopen: %s\n", dlerror()); return 1; }
  fputs("ready\n", stdout);
  fflush(stdout);
  char go;
  if (read(0, &go, 1) != 1) return 0;
  srand((unsigned)getpid());
  for (unsigned round = 0;; round++) {
    pid_t pid = fork();
    if (pid == 0) {
      switch (rand() % 3) {
      case 0: _exit(0);
      case 1: usleep((useconds_t)(rand() % 3000)); _exit(0);
      default: execl("/bin/true", "true", (char *)NULL); _exit(127);
      }
    }
    usleep(1000);
    if (round % 4 == 0) while (waitpid(-1, NULL, WNOHANG) > 0) {}
  }
}
