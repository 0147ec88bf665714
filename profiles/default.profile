# default.profile: used for a command that has no profile of its own.
# A safe desktop default: the read-only system, an empty home, the display
# and sound, no network, no D-Bus.
include base.inc
include secrets.inc
socket x11
socket wayland
socket pulseaudio
network none
