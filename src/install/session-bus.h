/* Telling the running session bus that its service files changed. */
#pragma once

/* Ask the session bus (if there is one) to reload its configuration;
 * warns, naming service_file, when it can't. */
void reload_session_bus(const char *service_file);
