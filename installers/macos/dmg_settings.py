"""dmgbuild settings: Piecework.app and a link to /Applications in one window.

dmgbuild -s installers/macos/dmg_settings.py -D app=dist/Piecework.app "Piecework" dist/Piecework.dmg
"""

# dmgbuild runs this file with `defines` (from -D) in its namespace and reads the names below.
import os.path

application = defines.get("app", "dist/Piecework.app")  # type: ignore[name-defined]  # noqa: F821
appname = os.path.basename(application)

format = "UDZO"
compression_level = 9
size = None
files = [application]
symlinks = {"Applications": "/Applications"}
icon_locations = {appname: (150, 160), "Applications": (450, 160)}
window_rect = ((200, 200), (600, 360))
default_view = "icon-view"
show_status_bar = False
show_toolbar = False
icon_size = 96
text_size = 13
