"""Test support: the official Intercom description, its errata and a response validator.

`errata` lists every correction made to the vendored description (spec/intercom-2.10.yaml);
`spec` loads the patched description and checks server responses against it.
"""
