"""The scheme team's pages across every app: reports, charts, email previews (top layer)."""
