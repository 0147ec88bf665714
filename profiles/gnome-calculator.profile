# gnome-calculator.profile: GNOME Calculator.
include base.inc
include secrets.inc
include desktop.inc

app-id org.gnome.Calculator

# Currency exchange rates it downloaded.  (Its preferences are GSettings.)
persist ${XDG_CACHE_HOME}/gnome-calculator

# A calculator needs no network.  Currency conversion then uses the rates
# cached above; for fresh ones, "network host" in gnome-calculator.local.
network none
# No GPU needed.
no-device dri
# The running instance, and its GNOME Shell search provider.
dbus-own org.gnome.Calculator
dbus-own org.gnome.Calculator.*
