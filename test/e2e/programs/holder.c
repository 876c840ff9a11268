/*
 * holder: keeps shared libraries mapped for the end-to-end tests.
 *
 *   holder [-c HEXNAME] [-o FILE]... [LIBRARY...]
 *
 * -c sets the process's short name (comm) to the bytes given in hex, so a test can
 * use bytes that argv cannot carry from Node (ESC, BEL, 0x9b, 0xff). -o opens FILE
 * and keeps the descriptor (a JVM holding its jars). Each LIBRARY is dlopen()ed with
 * RTLD_NOW, in order: mmap works top-down, so the first lands at the highest address,
 * i.e. last in maps. Prints "ready\n" once everything is in place, then sleeps until
 * killed. Copied elsewhere and replaced, it is also the "deleted executable".
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "+c:o:")) != -1) {
    if (opt == 'c') {
      char name[16] = {0};
      size_t n = strlen(optarg) / 2;
      if (n > 15) n = 15;
      for (size_t k = 0; k < n; k++) {
        int hi = hexval(optarg[2 * k]), lo = hexval(optarg[2 * k + 1]);
        if (hi < 0 || lo < 0) { fprintf(stderr, "holder: bad hex name\n"); return 2; }
        name[k] = (char)(hi * 16 + lo);
      }
      if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0) { perror("holder: prctl"); return 1; }
    } else if (opt == 'o') {
      if (open(optarg, O_RDONLY) < 0) { perror("holder: open"); return 1; }
    } else {
      fprintf(stderr, "usage: holder [-c HEXNAME] [-o FILE]... [LIBRARY...]\n");
      return 2;
    }
  }
  for (int i = optind; i < argc; i++) {
    if (dlopen(argv[i], RTLD_NOW | RTLD_LOCAL) == NULL) {
      fprintf(stderr, "holder: dlopen: %s\n", dlerror());
      return 1;
    }
  }
  fputs("ready\n", stdout);
  fflush(stdout);
  for (;;) pause();
}
