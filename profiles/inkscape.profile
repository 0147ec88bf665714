# inkscape.profile: Inkscape, the vector drawing program.
include base.inc
include secrets.inc
include desktop.inc

app-id org.inkscape.Inkscape

# Preferences, the user's palettes, symbols, templates and extensions.
persist ${XDG_CONFIG_HOME}/inkscape
# Rendering and font caches.
persist ${XDG_CACHE_HOME}/inkscape

# Drawings and the documents and pictures they are made for.
rw ${DOCUMENTS}
rw ${PICTURES}
ro ${DOWNLOAD}
ro ${DESKTOP}

# Printing; drawing tablets are input devices.
socket cups
device input

# No network (importing from Open Clip Art and extension updates need
# "network host" in inkscape.local).
network none
# The running instance opens further drawings.
dbus-own org.inkscape.Inkscape
