// Linux headers Swift's Glibc module leaves out: epoll, whose ready list keeps the order events
// came in (RankMonitor relies on it to tell a lost rank from the ranks hydra kills after it).
#include <sys/epoll.h>
// mallopt: the emulator fixes glibc's mmap threshold (EmulatorLauncher).
#include <malloc.h>
