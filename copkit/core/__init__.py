"""The platform-neutral core: hooks, storage, timers, dispatch and the interaction model."""
