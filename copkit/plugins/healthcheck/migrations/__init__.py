"""Migrations of the health check's tables."""
