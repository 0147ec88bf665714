# evince.profile: Evince (GNOME Document Viewer: PDF, PostScript, DjVu...).
# PDF readers are the classic target of malicious documents: this one sees
# little and can't reach the network.
include base.inc
include secrets.inc
include desktop.inc

app-id org.gnome.Evince

# Keyboard shortcuts and print settings.
persist ${XDG_CONFIG_HOME}/evince

# Documents: annotations and "save a copy" write here.
rw ${DOCUMENTS}
# Downloaded documents are read, not changed.
ro ${DOWNLOAD}
ro ${DESKTOP}

# Printing.
socket cups
# A document viewer needs no network.
network none
# The running instance opens further documents (GApplication), and the
# GNOME Shell search provider is Evince's too.
dbus-own org.gnome.Evince
dbus-own org.gnome.evince.*
