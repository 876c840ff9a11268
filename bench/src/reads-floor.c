/*
 * The kernel work of afterpatch's own pass over /proc, in C, on one thread, without the judging:
 * every process's maps and mount namespace, and for a process that maps a deleted file with
 * execute permission (the stale holders; not the bench's deleted shared memory and temp files,
 * which are mapped without it) what afterpatch reads of it to report it: /proc/PID/stat, the
 * owner of /proc/PID, /proc/PID/cgroup and the exe link. afterpatch also stat()s each distinct
 * mapped path once per run: a few hundred calls, left out. Like afterpatch, it stops reading a maps
 * file at the vsyscall line and a stat or cgroup file at a short read (one record), sparing the
 * read() that returns 0.
 *
 * Not a target: the floor is maps-floor.c. This tells how much of afterpatch's time above
 * that floor is reads the kernel makes it pay for (collect/processes.ts), and how much is Node.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[1 << 20];

/* Whether a line of maps text in buf maps a deleted file with execute permission. */
static int maps_deleted_code(void) {
  for (char *line = buf; *line;) {
    char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    char *perms = memchr(line, ' ', len);
    static const char mark[] = " (deleted)";
    if (perms && len > sizeof mark && perms + 3 < line + len && perms[3] == 'x' &&
        memcmp(line + len - (sizeof mark - 1), mark, sizeof mark - 1) == 0)
      return 1;
    if (!eol) break;
    line = eol + 1;
  }
  return 0;
}

/* Whether the len bytes in buf end with x86-64's vsyscall line, the last of a 64-bit maps file. */
static int ends_at_gate(long len) {
  static const char start[] = "ffffffffff600000-ffffffffff601000 ", end[] = " [vsyscall]\n";
  if (len < (long)(sizeof start + sizeof end) || buf[len - 1] != '\n') return 0;
  long line = len - 2;
  while (line > 0 && buf[line - 1] != '\n') line--;
  return memcmp(buf + line, start, sizeof start - 1) == 0 &&
         memcmp(buf + len - (sizeof end - 1), end, sizeof end - 1) == 0;
}

/* How afterpatch knows it has read a whole /proc file (collect/host.ts, ReadEnd). */
enum end { TO_EOF, AT_GATE, ONE_RECORD };

/*
 * Reads a whole file, as afterpatch does, keeping its first sizeof buf - 1 bytes in buf
 * (NUL-terminated: the deleted check sees only those); returns the bytes kept, or -1.
 */
static long slurp(const char *path, enum end end) {
  static char rest[1 << 16];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long len = 0;
  int whole = 0;
  for (ssize_t n; len < (long)sizeof buf - 1;) {
    size_t asked = sizeof buf - 1 - len;
    if ((n = read(fd, buf + len, asked)) <= 0) {
      whole = 1;
      break;
    }
    len += n;
    if ((end == ONE_RECORD && (size_t)n < asked) || (end == AT_GATE && ends_at_gate(len))) {
      whole = 1;
      break;
    }
  }
  while (!whole && read(fd, rest, sizeof rest) > 0) {
  }
  close(fd);
  buf[len] = 0;
  return len;
}

int main(int argc, char **argv) {
  static char path[300], link[4096];
  long procs = 0, detailed = 0;
  struct stat st;
  DIR *d = opendir("/proc");
  if (!d) return 1;
  for (struct dirent *e; (e = readdir(d));) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    snprintf(path, sizeof path, "/proc/%s/maps", e->d_name);
    long len = slurp(path, AT_GATE);
    if (len <= 0) continue;
    procs++;
    snprintf(path, sizeof path, "/proc/%s/ns/mnt", e->d_name);
    if (readlink(path, link, sizeof link) < 0) continue;
    if (!maps_deleted_code()) continue;
    detailed++;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    slurp(path, ONE_RECORD);
    snprintf(path, sizeof path, "/proc/%s", e->d_name);
    stat(path, &st);
    snprintf(path, sizeof path, "/proc/%s/cgroup", e->d_name);
    slurp(path, ONE_RECORD);
    snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
    readlink(path, link, sizeof link);
  }
  closedir(d);
  if (argc > 1 && strcmp(argv[1], "-v") == 0) printf("%ld processes, %ld with details\n", procs, detailed);
  return 0;
}
