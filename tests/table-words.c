/* Print the words of sbx's socket, device and system call group tables (src/policy/query.h),
 * one table a line: "socket x11 wayland ...", "syscall @mount ...".  For
 * check-completion-words.sh, which compares them with the words the shell
 * completions offer. */
#include <stdio.h>

#include "policy/query.h"

#define PRINT_NAME_(id, name) printf(" %s", name);

int main(void)
{
  printf("socket");
  POLICY_SOCKETS(PRINT_NAME_)
  printf("\ndevice");
  POLICY_DEVICES(PRINT_NAME_)
  printf("\nsyscall");
  POLICY_SYSCALL_GROUPS(PRINT_NAME_)
  printf("\n");
  return 0;
}
