"""Take-a-number queue per reception point, the public display board and the counter
satisfaction kiosk."""
