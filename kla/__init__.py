"""The app's library: warehouse access, queries, formatting, i18n, privacy (pages stay thin)."""
