"""Accounts: sign up, log in and out, password reset (Django's auth views), "My drawings" and API tokens.

Who may see what is decided in one place, `recognizer.selectors.visible_to_q`; this package only adds the
pages of a signed-in user (urls.py, views.py) with their reads (selectors.py) and writes (services.py).
What is private and what is readable by id: docs/accounts.md.
"""
