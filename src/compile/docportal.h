/* The document portal: files a user hands an app through the portal file
 * chooser (or drag and drop) are exported by xdg-document-portal's FUSE
 * filesystem at $XDG_RUNTIME_DIR/doc; each app sees its own subset in
 * doc/by-app/APPID, and is given paths /run/user/UID/doc/DOCID/NAME. */
#pragma once

#include "compile/ctx.h"

/* With an app-id and the host's document portal mounted: bind
 * $XDG_RUNTIME_DIR/doc/by-app/APPID read-write at /run/flatpak/doc and link
 * /run/user/UID/doc -> ../../flatpak/doc, as Flatpak does (or, where a rule
 * shows the host's /run/flatpak, bind it at /run/user/UID/doc directly).
 * Without the portal: nothing, and a note.  Without an app-id: nothing.
 * Only looks things up on the host (--explain is safe). */
int desktop_docportal(struct compile_ctx *cc);
