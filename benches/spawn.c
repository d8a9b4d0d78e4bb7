/* Runs a command and writes its wall time, CPU time and peak RSS as one JSON line to OUT_FILE.
 *
 * usage: spawn OUT_FILE COMMAND [ARGS...]     exit status: the command's (128+N if killed by N)
 *
 * The bench measures every contender through this small process rather than from Python: a
 * child forked from a large process inherits its resident pages until exec, and Linux counts
 * that pre-exec high-water mark in the child's ru_maxrss. Forked from here, the floor is ~1 MB.
 * rusage from wait4 covers the command and every descendant it waited for (a shell loop's JVMs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }
static long us(const struct timeval *t) { return t->tv_sec * 1000000L + t->tv_usec; }

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawn OUT_FILE COMMAND [ARGS...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("spawn: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("spawn: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror("spawn: output file");
        return 2;
    }
    fprintf(out,
            "{\"wall_ns\": %lld, \"user_us\": %ld, \"sys_us\": %ld, \"maxrss_kb\": %ld, \"exit\": %d}\n",
            ns(&t1) - ns(&t0), us(&ru.ru_utime), us(&ru.ru_stime), ru.ru_maxrss, code);
    fclose(out);
    return code;
}
