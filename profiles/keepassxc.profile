# keepassxc.profile: KeePassXC, the password manager.
include base.inc
include secrets.inc
include desktop.inc

app-id org.keepassxc.KeePassXC

# Settings, and the cache that remembers recent databases and key files.
persist ${XDG_CONFIG_HOME}/keepassxc
persist ${XDG_CACHE_HOME}/keepassxc

# Password databases (*.kdbx): kept in Documents here.  A database kept
# elsewhere needs a "rw PATH" in keepassxc.local.
rw ${DOCUMENTS}

# Offline: a password manager has no business on the network (downloading
# favicons needs "network host" in keepassxc.local).
network none
# Security keys (YubiKey challenge-response) are hidraw devices.
device u2f
# No GPU needed.
no-device dri

# Its own D-Bus interface (a second launch raises the first window).
dbus-own org.keepassxc.KeePassXC.*
# Not enabled here, each one a deliberate choice for keepassxc.local:
#   dbus-own org.freedesktop.secrets   to serve as the Secret Service
#   socket ssh-agent                   to add SSH keys to the agent
# Browser integration talks over a socket in the runtime directory, which is
# private to the sandbox, so it does not work from inside.
