# vlc.profile: VLC media player.
include base.inc
include secrets.inc
include desktop.inc

app-id org.videolan.VLC

# Preferences (vlcrc, the Qt interface's state), the media library and
# playlists, and fetched cover art.
persist ${XDG_CONFIG_HOME}/vlc
persist ${XDG_DATA_HOME}/vlc
persist ${XDG_CACHE_HOME}/vlc

# Media to play, read-only (VLC saves nothing into media folders except
# snapshots and recordings, which go to Pictures and Videos).
ro ${MUSIC}
rw ${VIDEOS}
rw ${PICTURES}
ro ${DOWNLOAD}
ro ${DESKTOP}

# Network streams, podcasts and cover-art lookups are part of VLC's job.
include network.inc
# Sound output straight to ALSA when there is no sound server.
device sound

# Media keys and "now playing" (MPRIS), the one-instance mode, and keeping
# the screen awake during a film.
dbus-own org.mpris.MediaPlayer2.vlc
dbus-own org.mpris.MediaPlayer2.vlc.*
dbus-own org.VideoLAN.VLC
dbus-talk org.freedesktop.ScreenSaver
dbus-talk org.freedesktop.PowerManagement
dbus-talk org.gnome.SessionManager
dbus-talk org.freedesktop.Notifications
