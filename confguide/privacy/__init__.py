"""Privacy: the privacy page, an attendee's data download, and deleting one's own account."""
