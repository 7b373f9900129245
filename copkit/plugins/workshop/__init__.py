"""Bootstrap a community: the vision workshop and the community canvas it produces.

The canvas (:mod:`.canvas` and its ``canvas_*`` modules) is a plugin of its own in this package,
so that it keeps its own tables and migrations (app ``canvas``).
"""
