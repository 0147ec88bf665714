#include "engine/supervisor.h"

#include <fcntl.h>
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

int supervise(pid_t target, int signal_fd)
{
  for (;;) {
    /* Reap first: SIGCHLD may have been merged with an earlier one. */
    for (;;) {
      int status;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid == target)
        return exit_code_from_status(status);
      if (pid <= 0) {
        if (pid < 0 && errno == ECHILD)
          return 255; /* nothing left to wait for: should not happen */
        break;
      }
    }
    struct signalfd_siginfo si;
    ssize_t n = read(signal_fd, &si, sizeof si);
    if (n < 0 && errno == EINTR)
      continue;
    if (n != sizeof si)
      return log_errno(errno, "reading signals"), 255;
    if (si.ssi_signo == SIGCHLD)
      continue;
    if (!already_delivered(&si, target))
      kill(target, (int)si.ssi_signo);
  }
}

/* ---- side processes ------------------------------------------------------- */

void helper_end(struct helper *h)
{
  if (h->pid <= 0)
    return;
  /* Not reaped: the pid (or pidfd) still names our child, exited or not. */
  if (h->pidfd >= 0) {
    syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
    close(h->pidfd);
  } else {
    kill(h->pid, SIGKILL);
  }
  *h = HELPER_NONE;
}
