"""`tandem bench`: every drafting configuration side by side on a prompt suite, with targets."""
