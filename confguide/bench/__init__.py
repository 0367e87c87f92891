"""`make bench`: the machinery that load-tests the production stack on this machine.

The `bench` command (sessions, which owns the pages measured) drives it; here are: the
settings it runs under, the static-file server that sets each page's upper
limit, wrk's script and output parsing, the rounds each page and its limit are
measured in, and the report with its targets.
"""
