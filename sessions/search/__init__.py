"""Search: the site-wide search page and the stored full-text documents sessions are found by."""
