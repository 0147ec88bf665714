# xterm.profile: xterm, with a shell in a throw-away home.
# Use it to look around inside a sandbox, or to run something you don't
# trust: nothing it writes survives the sandbox.
include base.inc
include secrets.inc
include desktop.inc

app-id org.invisible_island.xterm

# X resources (fonts, colours) and the shell's start-up files: read, so the
# terminal and the prompt look as usual; never written, since a sandboxed
# program that could change them would run code outside at the next login.
ro ${HOME}/.Xresources
ro ${HOME}/.Xdefaults
ro ${HOME}/.bashrc
ro ${HOME}/.profile
ro ${HOME}/.inputrc

# Offline, with no desktop services: a terminal for experiments.
network none
dbus-session none
# No GPU: xterm draws with the X server.
no-device dri
