/* libafp: the shared library the tests map, replace and delete. AFP_MARK varies the bytes. */
#ifndef AFP_MARK
#define AFP_MARK 1
#endif
int afp_marker(void) { return AFP_MARK; }
