"""The processing officers' and leaders' inbox: their agency's dossiers by legal deadline."""
