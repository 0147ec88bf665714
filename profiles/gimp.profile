# gimp.profile: GIMP, the GNU Image Manipulation Program.
include base.inc
include secrets.inc
include desktop.inc

app-id org.gimp.GIMP

# Settings, brushes, scripts and plug-ins the user installed
# (${XDG_CONFIG_HOME}/GIMP/2.10 or /3.0).
persist ${XDG_CONFIG_HOME}/GIMP
# Swap and thumbnail cache: on disk, because a large image would fill the
# memory-backed throw-away home.
persist ${XDG_CACHE_HOME}/gimp

# An image editor edits pictures, and is often used for documents' figures.
rw ${PICTURES}
rw ${DOCUMENTS}
ro ${DOWNLOAD}
ro ${DESKTOP}

# Printing; drawing tablets are input devices.
socket cups
device input

# No network: GIMP fetches nothing it can't do without (opening an image by
# URL needs "network host" in gimp.local).
network none
# The running instance opens further images.
dbus-own org.gimp.GIMP.*
