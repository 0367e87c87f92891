"""`make bench`: load-test the production stack on this machine (see the README's Benchmark).

The `bench` management command drives it; this package holds its parts: the
settings it runs under, the static-file server that sets each page's upper
limit, wrk's script and output parsing, the rounds each page and its limit are
measured in, and the report with its targets.
"""
