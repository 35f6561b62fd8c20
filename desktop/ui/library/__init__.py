"""The model library in the window: models on this machine, Hugging Face downloads, folders."""
