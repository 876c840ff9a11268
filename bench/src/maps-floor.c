/* The floor: the least work any scanner must do — list /proc, read every /proc/PID/maps fully. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static char buf[1 << 16], path[300];
  long procs = 0, bytes = 0;
  DIR *d = opendir("/proc");
  if (!d) return 1;
  for (struct dirent *e; (e = readdir(d));) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    snprintf(path, sizeof path, "/proc/%s/maps", e->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) bytes += n;
    close(fd);
    procs++;
  }
  closedir(d);
  if (argc > 1 && strcmp(argv[1], "-v") == 0) printf("%ld processes, %ld bytes of maps\n", procs, bytes);
  return 0;
}
