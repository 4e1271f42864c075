"""The prospect lookup a rep asks before registering: `recon lookup` (one call, `query`) and
`recon serve-lookup` (an HTTP service over an in-memory copy, `http` and `snapshot`). Nothing here
imports Prefect, Great Expectations or Splink."""
