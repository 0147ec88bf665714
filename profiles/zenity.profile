# zenity.profile: zenity, the dialog boxes of shell scripts.
include base.inc
include secrets.inc
include desktop.inc

app-id org.gnome.Zenity

# No configuration of its own.  --file-selection shows the user's folders,
# read-only: the script that asked gets a path and does the writing.
ro ${DESKTOP}
ro ${DOCUMENTS}
ro ${DOWNLOAD}
ro ${MUSIC}
ro ${PICTURES}
ro ${VIDEOS}

# Dialogs need no network; --notification needs the notification service.
network none
dbus-talk org.freedesktop.Notifications
# No GPU needed to draw a dialog.
no-device dri
