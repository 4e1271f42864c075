"""Typed settings: `sources.yaml` (deployment: where inputs are, how their columns map) and
`policy.yaml` (business rules), each validated as a whole into frozen objects, every mistake
named by file and key. Orchestration, the lookup service and the tools read them from here."""
