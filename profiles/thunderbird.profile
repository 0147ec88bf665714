# thunderbird.profile: Mozilla Thunderbird (mail, calendar, chat).
include base.inc
include secrets.inc
include desktop.inc
include network.inc

app-id org.mozilla.Thunderbird

# Mail, accounts and the disk cache.
persist ${HOME}/.thunderbird
persist ${XDG_CACHE_HOME}/thunderbird

# Saving attachments.
persist ${DOWNLOAD}
# Attaching files: the usual places, read-only.
ro ${DOCUMENTS}
ro ${PICTURES}
ro ${DESKTOP}

# OpenPGP keys live in the Thunderbird profile (its built-in OpenPGP);
# ~/.gnupg stays hidden (secrets.inc), so smart cards through GnuPG need an
# override in thunderbird.local.
# Printing mail.
socket cups

# New-mail notifications; opening links in the running instance.
dbus-talk org.freedesktop.Notifications
dbus-own org.mozilla.thunderbird.*
dbus-own org.mozilla.Thunderbird.*
