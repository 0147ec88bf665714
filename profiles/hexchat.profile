# hexchat.profile: HexChat, the IRC client.
include base.inc
include secrets.inc
include desktop.inc
include network.inc

app-id io.github.Hexchat

# Settings, server list, logs, scripts and the DCC defaults.
persist ${XDG_CONFIG_HOME}/hexchat

# Files received over DCC (HexChat's default is Downloads), and files to
# send from there.
persist ${DOWNLOAD}

# Highlight notifications; the "hexchat -e/--command" remote, which talks
# to the running instance.
dbus-talk org.freedesktop.Notifications
dbus-own org.hexchat.service
