# gedit.profile: gedit, the GNOME text editor.
# A text editor is expected to open anything; this one opens the user's
# document folders only.  To edit another file, open its directory
# explicitly: sbx --rw ~/src/project gedit ~/src/project/main.c
include base.inc
include secrets.inc
include desktop.inc

app-id org.gnome.gedit

# Keyboard shortcuts, plugins, colour schemes and snippets; the cursor
# position of every file opened (gedit keeps it here when no GVfs metadata
# service is reachable, as in the sandbox).
persist ${XDG_CONFIG_HOME}/gedit
persist ${XDG_DATA_HOME}/gedit

# Text the user writes and keeps.
rw ${DOCUMENTS}
rw ${DESKTOP}
rw ${TEMPLATES}
ro ${DOWNLOAD}

# Printing.
socket cups
# An editor needs no network.
network none
# The running instance opens further files ("gedit FILE" from a terminal).
dbus-own org.gnome.gedit
