"""The conference app (label `conference`): events, sessions, speakers, companies, themes.

The modules here are the domain core (models, querysets, services, content
versions, days); each capability is a subpackage: public/, exports/,
importers/, myschedule/ and demo/.
"""
