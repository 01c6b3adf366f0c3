"""The team schema's numbered migrations: ``NNNN_name.sql``, applied in order, once each."""
