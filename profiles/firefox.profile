# firefox.profile: Mozilla Firefox.
include base.inc
include secrets.inc
include browser.inc

app-id org.mozilla.firefox

# Profiles (bookmarks, history, passwords, extensions) and the disk cache.
# Firefox 147 and later use ${XDG_CONFIG_HOME}/mozilla when ~/.mozilla does
# not exist; ~/.mozilla is created here, so every version finds the same
# profiles, and an XDG directory a newer Firefox made elsewhere is kept too.
persist ${HOME}/.mozilla
rw ${XDG_CONFIG_HOME}/mozilla
persist ${XDG_CACHE_HOME}/mozilla
# Client certificates and CA certificates imported by hand live in the
# Firefox profile, not in ~/.pki (which secrets.inc hides).

# Firefox's remote service (opening a link in the running Firefox instead
# of starting a second one) and its MPRIS media-key name.
dbus-own org.mozilla.*
dbus-own org.mpris.MediaPlayer2.firefox.*
