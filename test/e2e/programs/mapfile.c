/*
 * mapfile: maps one file the way a program maps code or data.
 *
 *   mapfile exec PATH     mmap PROT_READ|PROT_EXEC (code, like a JIT or libffi trampoline)
 *   mapfile read PATH     mmap PROT_READ only (data: a locale archive, a database)
 *
 * The test deletes or replaces PATH after "ready\n". Exits 77 when the file system
 * refuses PROT_EXEC (noexec mount) so the test can skip with a reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: mapfile exec|read PATH\n"); return 2; }
  const char *mode = argv[1], *path = argv[2];
  if (strcmp(mode, "exec") == 0 || strcmp(mode, "read") == 0) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { perror("mapfile: open"); return 1; }
    int prot = strcmp(mode, "exec") == 0 ? PROT_READ | PROT_EXEC : PROT_READ;
    if (mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
      int e = errno;
      perror("mapfile: mmap");
      return e == EPERM ? 77 : 1;
    }
    close(fd); /* only the mapping keeps it, as with a loaded library */
  } else {
    fprintf(stderr, "mapfile: unknown mode %s\n", mode);
    return 2;
  }
  fputs("ready\n", stdout);
  fflush(stdout);
  for (;;) pause();
}
