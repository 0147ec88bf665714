# eog.profile: Eye of GNOME, the GNOME image viewer.
include base.inc
include secrets.inc
include desktop.inc

app-id org.gnome.eog

# Keyboard shortcuts (the rest of its preferences are GSettings).
persist ${XDG_CONFIG_HOME}/eog

# Pictures: eog rotates and saves images, so writable.
rw ${PICTURES}
# Images elsewhere are only looked at.
ro ${DOWNLOAD}
ro ${DESKTOP}

# An image viewer needs no network.
network none
# The running instance opens further images.
dbus-own org.gnome.eog
