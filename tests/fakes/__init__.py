"""Test doubles that speak real protocols (never mocks of client libraries)."""
