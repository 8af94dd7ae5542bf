"""The certification body's records (filled in the next step)."""
