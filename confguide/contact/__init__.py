"""The contact form: a site-wide piece, so it lives beside the home page in confguide."""
