/* suid-probe: the setuid binary of the escape battery.  The test copies it
 * root-owned and mode 4755 where the sandbox can see it; run from inside,
 * an effective uid of 0 would be a privilege gained.  It only reports. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
  printf("euid=%u uid=%u\n", (unsigned)geteuid(), (unsigned)getuid());
  return 0;
}
