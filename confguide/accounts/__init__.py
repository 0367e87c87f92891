"""Accounts: sign-up, sign-in, password reset and their rate limits."""
