"""Built-in plugins: the core commands and one package per event format."""
