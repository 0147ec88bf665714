# firefox-esr.profile: Debian's Firefox ESR (/usr/bin/firefox-esr).  The same
# program as Firefox, the same profile directories, so the same rules.
# firefox.local applies here too (the .local of an included profile is read);
# firefox-esr.local only here.
include firefox.profile
