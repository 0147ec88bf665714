# transmission-gtk.profile: Transmission, the BitTorrent client (GTK UI).
include base.inc
include secrets.inc
include desktop.inc
include network.inc

app-id com.transmissionbt.Transmission

# Settings, the torrents being shared and their resume data; the cache.
persist ${XDG_CONFIG_HOME}/transmission
persist ${XDG_CACHE_HOME}/transmission

# Where downloads go, and where .torrent files are opened from.
persist ${DOWNLOAD}

# Notifications when a download completes; keeping the machine awake while
# downloading; the running instance takes further torrents.
dbus-talk org.freedesktop.Notifications
dbus-talk org.gnome.SessionManager
dbus-own com.transmissionbt.*
