"""Fakes of the platforms copkit talks to, for tests over loopback."""
