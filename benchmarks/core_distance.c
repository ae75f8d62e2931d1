/* How far apart the machine's first two CPUs are: the round trip of one cache line bounced between a thread pinned
 * to CPU 0 and one pinned to CPU 1, in ns. On the 2-vCPU benchmark VM it has two values, about 60 ns (the vCPUs share
 * a cache) and about 340 ns (they do not), and FewShot's 2-thread adaptation runs about twice as slow in the second
 * state (benchmarks/README.md, "FewShot's two speeds at 2 threads"), so vs-pytorch.sh prints it before and after each
 * engine's run. Build: cc -O2 -pthread -o core-distance benchmarks/core_distance.c. Usage: core-distance [round trips]. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static _Atomic long turn __attribute__((aligned(64)));
static long trips;

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *answer(void *unused)
{
    (void)unused;
    pin(1);
    for (long i = 0; i < trips; i++) {
        while (atomic_load_explicit(&turn, memory_order_acquire) != 2 * i + 1) {
        }
        atomic_store_explicit(&turn, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    trips = argc > 1 ? atol(argv[1]) : 300000;
    if (trips < 1 || sysconf(_SC_NPROCESSORS_ONLN) < 2 || pin(0) != 0) {
        fprintf(stderr, "core-distance: needs a positive count and CPUs 0 and 1\n");
        return 2;
    }
    pthread_t other;
    if (pthread_create(&other, NULL, answer, NULL) != 0) {
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < trips; i++) {
        atomic_store_explicit(&turn, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&turn, memory_order_acquire) != 2 * i + 2) {
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    pthread_join(other, NULL);
    printf("%.0f\n", ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / trips);
    return 0;
}
