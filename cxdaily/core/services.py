"""Human names of the services customers write from (for labels and reasons)."""

SERVICE_NAMES = {
    "zendesk": "Zendesk",
    "freshdesk": "Freshdesk",
    "intercom": "Intercom",
    "helpscout": "Help Scout",
    "front": "Front",
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "discourse": "Discourse",
    "khoros": "Khoros",
    "wordpress": "WordPress",
    "github": "GitHub",
    "email": "Email",
    "imap": "Email",
    "app_store": "App Store",
    "google_play": "Google Play",
}
