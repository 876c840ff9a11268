/* The shared library the bench replaces. Built twice (APBENCH_VERSION=1 and 2) so the two files differ. */
#ifndef APBENCH_VERSION
#define APBENCH_VERSION 1
#endif

int apbench_version(void) { return APBENCH_VERSION; }

/* Some code and data so the library has the usual r--p / r-xp / rw-p mappings of a real one. */
static const char apbench_banner[] = "afterpatch bench library";
const char *apbench_name(void) { return apbench_banner; }
