/* sbx --doctor: what this machine supports, and what each missing piece
 * costs a sandbox.
 *
 * A layer of its own beside cli and compile (tests/layers.txt): it asks
 * every layer below for facts (the engine tries namespaces and the mount
 * API in a throw-away child; launch knows where xdg-dbus-proxy is and how
 * to talk to a Wayland compositor) and changes nothing on the machine.
 * main.c only dispatches to it. */
#pragma once

#include <stdbool.h>

/* Print the report (a table, or one JSON object with --json) on stdout.
 * Returns the exit status: 0, or 1 when the probes could not run. */
int doctor_run(bool json);
