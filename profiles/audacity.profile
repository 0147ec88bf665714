# audacity.profile: Audacity, the audio editor and recorder.
include base.inc
include secrets.inc
include desktop.inc

app-id org.audacityteam.Audacity

# Audacity 3.2 and later: settings, then plug-in registry, macros and the
# session data of unsaved recordings, then caches.
persist ${XDG_CONFIG_HOME}/audacity
persist ${XDG_DATA_HOME}/audacity
persist ${XDG_CACHE_HOME}/audacity
# Earlier versions kept everything here, and newer ones still do if it
# exists.
rw ${HOME}/.audacity-data

# Recordings, projects and exports.
rw ${MUSIC}
rw ${DOCUMENTS}
ro ${DOWNLOAD}
ro ${DESKTOP}

# Recording and playback straight through ALSA (Audacity's PortAudio) as
# well as through the sound server.
device sound
# No network (the update check and audio.com uploads need "network host"
# in audacity.local).
network none
