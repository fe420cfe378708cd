"""The console's rules: accounts and their roles, passwords, second factors, one-time secrets. No I/O."""
