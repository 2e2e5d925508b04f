"""Following a dossier: "my dossiers", the status lookup by receipt, supplements and rating."""
