# qbittorrent.profile: qBittorrent, the BitTorrent client (Qt UI).
include base.inc
include secrets.inc
include desktop.inc
include network.inc

app-id org.qbittorrent.qBittorrent

# Settings (qBittorrent.conf, RSS rules), the torrents being shared and
# their resume data (BT_backup), logs, the search plugins' cache.
persist ${XDG_CONFIG_HOME}/qBittorrent
persist ${XDG_DATA_HOME}/qBittorrent
persist ${XDG_CACHE_HOME}/qBittorrent

# Where downloads go, and where .torrent files are opened from.
persist ${DOWNLOAD}

# Notifications when a download completes; keeping the machine awake.
dbus-talk org.freedesktop.Notifications
dbus-talk org.freedesktop.PowerManagement
dbus-talk org.gnome.SessionManager
