# firefox-esr.profile: Debian's Firefox ESR (/usr/bin/firefox-esr).  The same
# program as Firefox, the same profile directories, so the same rules.
# Note: firefox.local is not read for it; put overrides in firefox-esr.local.
include firefox.profile
