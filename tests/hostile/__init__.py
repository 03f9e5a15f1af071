"""Hostile inputs for the reliability tests: files, texts and numbers a public lab receives."""
