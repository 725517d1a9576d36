"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit in its own
process, with its own settings and database, on a loopback port (see tests/sso_support.py)."""
