"""The project package: settings, URLs (the one place that knows every app), site-wide pieces."""
