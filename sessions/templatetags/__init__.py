"""Template tags for conference pages: times in two zones, JSON-LD, filters, theme badges."""
