# libreoffice.profile: LibreOffice (Writer, Calc, Impress, Draw...: the
# desktop launchers all run "libreoffice --writer" and so on).
include base.inc
include secrets.inc
include desktop.inc

app-id org.libreoffice.LibreOffice

# User profile: settings, autocorrect lists, macros, templates, the
# recovery copies of unsaved documents.
persist ${XDG_CONFIG_HOME}/libreoffice

# An office suite edits documents: where people keep them.
rw ${DOCUMENTS}
rw ${DESKTOP}
# Opening (and saving back) what was downloaded or sent by mail.
rw ${DOWNLOAD}
# Document templates.
ro ${TEMPLATES}
# Pictures to insert.
ro ${PICTURES}

# Printing.
socket cups

# No network: documents are where macros and external links live; cut off,
# they can't send anything anywhere.  This also turns off the update check,
# extension downloads and remote files (add "network host" to
# libreoffice.local for those).
network none
