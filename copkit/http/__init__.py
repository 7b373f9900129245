"""The HTTP server every ``copkit run`` process starts (:mod:`.server`): the probes
(:mod:`.probes`), ``/metrics`` (:mod:`.metrics`), and the routes each part adds through a setup
function ``(app, runtime)``. Its settings (:mod:`.settings`) load without aiohttp."""
