/*
 * railyard test server: HTTP on :8080, one forked child per connection, each
 * answer after WORK_MS (default 50 ms) of "work". On SIGTERM it closes the
 * listening socket at once (new connections are refused), lets every child
 * finish its request, then exits 0: an app that finishes in-flight requests.
 * Built with `gcc -static` by scripts/test-host.sh.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_term(int sig) { (void)sig; stopping = 1; }

static void serve(int fd, int work_ms, const char *version, const char *host) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf); /* one request: the probe and wget send it in one segment */
  if (n <= 0) _exit(0);
  usleep((useconds_t)work_ms * 1000);
  char body[256], out[512];
  int blen = snprintf(body, sizeof body, "railyard-test-graceful version=%s host=%s\n", version, host);
  int olen = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", blen, body);
  (void)!write(fd, out, (size_t)olen);
  shutdown(fd, SHUT_WR);
  close(fd);
  _exit(0);
}

int main(void) {
  const char *work = getenv("WORK_MS"), *version = getenv("VERSION"), *host = getenv("HOSTNAME");
  int work_ms = work ? atoi(work) : 50;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term; /* no SA_RESTART: accept() returns EINTR on SIGTERM */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGCHLD, SIG_IGN); /* children reap themselves */
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(8080), .sin_addr = {htonl(INADDR_ANY)}};
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 128) != 0) { perror("listen"); return 1; }
  fprintf(stderr, "graceful: listening on :8080, work %d ms\n", work_ms);
  while (!stopping) {
    int fd = accept(s, NULL, NULL);
    if (fd < 0) { if (errno == EINTR) continue; perror("accept"); continue; }
    pid_t pid = fork();
    if (pid == 0) { close(s); serve(fd, work_ms, version ? version : "unset", host ? host : "unknown"); }
    close(fd);
  }
  close(s);
  fprintf(stderr, "graceful: SIGTERM, finishing in-flight requests\n");
  while (wait(NULL) > 0 || errno == EINTR) {} /* returns ECHILD once every child is done */
  fprintf(stderr, "graceful: done\n");
  return 0;
}
