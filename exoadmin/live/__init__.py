"""Live updates: every change a person could be looking at reaches their open screens at once."""
