"""The flow canvas: the layout (a pure function), the scene's items, the view with zoom, pan and shortcuts."""
