/* Peak RSS of a command, for machines without GNU time (package `time`).
 *
 *     maxrss OUTFILE COMMAND [ARGS...]
 *
 * Runs COMMAND with this process's standard streams, writes the child's peak
 * resident set size in KiB (ru_maxrss from wait4, what `/usr/bin/time -f %M`
 * prints) to OUTFILE and exits with the child's exit code (128+N if signal N
 * ended it). In C, not Python: the child's ru_maxrss includes the image it
 * was forked from until its exec, and a Python parent's (~7 MiB) would hide
 * anything smaller. bench/run compiles it into the build directory.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: maxrss OUTFILE COMMAND [ARGS...]\n");
    return 64;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("maxrss: fork");
    return 71;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("maxrss: exec");
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) {
    perror("maxrss: wait4");
    return 71;
  }
  FILE* out = fopen(argv[1], "w");
  if (!out || fprintf(out, "%ld\n", usage.ru_maxrss) < 0 || fclose(out) != 0) {
    perror("maxrss: writing the result");
    return 74;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
