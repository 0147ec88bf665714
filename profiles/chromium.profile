# chromium.profile: Chromium.
include base.inc
include secrets.inc
include browser.inc

app-id org.chromium.Chromium

# Profile (bookmarks, history, extensions, saved passwords) and cache.
persist ${XDG_CONFIG_HOME}/chromium
persist ${XDG_CACHE_HOME}/chromium
# Chromium keeps certificates imported by hand in the NSS database under
# ~/.pki, shared with every other NSS program; secrets.inc hides it.  To let
# Chromium use it anyway, put "persist ${HOME}/.pki/nssdb" in chromium.local.

# Chromium's own sandbox needs user namespaces, which sbx leaves usable
# inside (it does not have to be setuid).

# Media keys and the "now playing" widget.
dbus-own org.mpris.MediaPlayer2.chromium.*
# Chromium would store passwords in the Secret Service (GNOME Keyring,
# KWallet), but a Secret Service client can read every secret stored there,
# not only its own; without it Chromium keeps them in its profile.
