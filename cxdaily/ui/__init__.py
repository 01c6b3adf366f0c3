"""The Textual app. Only this package imports Textual or Rich."""
