"""The `recon` command line (`cli.main:main`)."""
