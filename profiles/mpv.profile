# mpv.profile: mpv media player.
include base.inc
include secrets.inc
include desktop.inc

app-id io.mpv.Mpv

# mpv.conf, input.conf and user scripts; "resume playback" positions
# (watch_later: in the state dir since mpv 0.36, in the config dir before);
# the cache.
persist ${XDG_CONFIG_HOME}/mpv
persist ${XDG_STATE_HOME}/mpv
persist ${XDG_CACHE_HOME}/mpv

# Media to play, read-only; screenshots go to Pictures.
ro ${MUSIC}
ro ${VIDEOS}
rw ${PICTURES}
ro ${DOWNLOAD}
ro ${DESKTOP}

# Playing URLs (through yt-dlp) needs the network.
include network.inc
# Sound output straight to ALSA when there is no sound server.
device sound

# MPRIS, when the mpv-mpris plugin is installed.
dbus-own org.mpris.MediaPlayer2.mpv
dbus-own org.mpris.MediaPlayer2.mpv.*
