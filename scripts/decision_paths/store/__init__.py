"""Writing: atomic files and sites, and the build cache with its typed codec."""
