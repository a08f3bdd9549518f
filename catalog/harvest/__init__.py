"""Harvesting: fetching portals safely and bringing their records into the store."""
