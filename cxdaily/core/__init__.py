"""The small shared building blocks every layer stands on: models, errors, the clock, the
leader's day (days), durations, shared words, untrusted text and JSON, the service
catalogue and size limits. Imports nothing else of cxdaily."""
