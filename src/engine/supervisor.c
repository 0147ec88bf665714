#include "engine/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

void supervisor_signals(sigset_t *set)
{
  sigemptyset(set);
  sigaddset(set, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset(set, forwarded[i]);
}

int exit_code_from_status(int status)
{
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return 255;
}

/* A terminal sends SIGINT/SIGQUIT/SIGHUP to the whole foreground process
 * group; if the target is in ours it got the signal already, and
 * forwarding it would deliver it twice. */
static bool already_delivered(const struct signalfd_siginfo *si, pid_t target)
{
  return si->ssi_code == SI_KERNEL && getpgid(target) == getpgrp();
}

bool supervise_reap(pid_t target, int *code)
{
  /* Reap first: SIGCHLD may have been merged with an earlier one. */
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == target) {
      *code = exit_code_from_status(status);
      return true;
    }
    if (pid <= 0) {
      if (pid < 0 && errno == ECHILD) {
        *code = 255; /* nothing left to wait for: should not happen */
        return true;
      }
      return false;
    }
  }
}

int supervise_signal(pid_t target, int signal_fd)
{
  struct signalfd_siginfo si;
  ssize_t n = read(signal_fd, &si, sizeof si);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n != sizeof si)
    return log_errno(errno, "reading signals");
  if (si.ssi_signo != SIGCHLD && !already_delivered(&si, target))
    kill(target, (int)si.ssi_signo);
  return 0;
}

int supervise(pid_t target, int signal_fd)
{
  int code;
  for (;;) {
    if (supervise_reap(target, &code))
      return code;
    if (supervise_signal(target, signal_fd) < 0)
      return 255;
  }
}

/* ---- side processes ------------------------------------------------------- */

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Has it exited within timeout_ms?  (Not reaped: a pidfd polls readable
 * once the process is a zombie.) */
static bool helper_exited(const struct helper *h, int timeout_ms)
{
  if (h->pidfd >= 0) {
    struct pollfd pfd = { .fd = h->pidfd, .events = POLLIN };
    int r;
    do
      r = poll(&pfd, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r != 0;
  }
  for (int waited = 0;; waited += 50) {
    siginfo_t si = { 0 };
    if (waitid(P_PID, (id_t)h->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == h->pid)
      return true;
    if (waited >= timeout_ms)
      return false;
    usleep(50 * 1000);
  }
}

bool helper_reap(struct helper *h, int timeout_ms)
{
  if (h->pid <= 0)
    return true;
  bool exited = helper_exited(h, timeout_ms);
  /* SIGKILL on an exited, unreaped process is harmless; the pid (or pidfd)
   * still names our child until the wait below. */
  if (!exited) {
    if (h->pidfd >= 0)
      syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
    else
      kill(h->pid, SIGKILL);
  }
  if (h->pidfd >= 0) {
    siginfo_t si;
    (void)RETRY(waitid((idtype_t)P_PIDFD, (id_t)h->pidfd, &si, WEXITED));
    close(h->pidfd);
  } else {
    (void)RETRY(waitpid(h->pid, NULL, 0));
  }
  *h = HELPER_NONE;
  return exited;
}
