# firefox.profile: Mozilla Firefox.
include base.inc
include secrets.inc
include browser.inc

app-id org.mozilla.firefox

# Profiles (bookmarks, history, passwords, extensions) and the disk cache.
# Current Firefox keeps them in ${XDG_CONFIG_HOME}/mozilla (it does so even
# when an empty ~/.mozilla exists), so that one is created and kept; an
# older ~/.mozilla that already holds profiles stays visible and writable.
persist ${XDG_CONFIG_HOME}/mozilla
rw ${HOME}/.mozilla
persist ${XDG_CACHE_HOME}/mozilla
# Client certificates and CA certificates imported by hand live in the
# Firefox profile, not in ~/.pki (which secrets.inc hides).

# Firefox's remote service (opening a link in the running Firefox instead
# of starting a second one) and its MPRIS media-key name.
dbus-own org.mozilla.*
dbus-own org.mpris.MediaPlayer2.firefox.*
