"""Citizen accounts: sign-up and sign-in by email or phone, verification, reset, profile."""
