# okular.profile: Okular, KDE's document viewer (PDF, EPUB, comics...).
include base.inc
include secrets.inc
include desktop.inc

app-id org.kde.okular

# Per-document state: annotations not saved into the file, the last page,
# bookmarks, zoom.
persist ${XDG_DATA_HOME}/okular
# Settings are two files directly in ${XDG_CONFIG_HOME}; a rule can only
# open files that exist, and KDE saves them by replacing the file, which a
# file opened into the sandbox does not allow: changed settings may not
# survive.  (Directories have neither problem.)
rw ${XDG_CONFIG_HOME}/okularrc
rw ${XDG_CONFIG_HOME}/okularpartrc

# Documents: annotations and forms are saved into the file.
rw ${DOCUMENTS}
# Downloaded documents are read, not changed.
ro ${DOWNLOAD}
ro ${DESKTOP}

# Printing.
socket cups
# A document viewer needs no network.
network none
# KDE's application service name.  (Instances that register
# org.kde.okular-PID can't be named by a rule: the proxy matches whole
# names or NAME.* subtrees only.)
dbus-own org.kde.okular
