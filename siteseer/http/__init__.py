"""HTTP rules as small pure functions: dates, ranges, validators, encodings, types.

Nothing here does I/O or knows about siteseer's Request/Response, so each
rule can be tested on its own (the style of Werkzeug's ``http.py``).
"""
