"""Sending digests to destinations, the pure part: what is sent and the rules around it.

- :mod:`~cxdaily.insights.delivery.model`: the period, the parcel (the digest rendered
  through the format registry), the records the store keeps, the outcomes;
- :mod:`~cxdaily.insights.delivery.schedule`: the digest week of ``[digest] day`` and the
  "at most once per period" decision;
- :mod:`~cxdaily.insights.delivery.messages`: the email's subject and the Slack and Teams
  messages, with every customer's word escaped for its target;
- :mod:`~cxdaily.insights.delivery.trackers` and :mod:`~cxdaily.insights.delivery.adf`:
  the Productboard note, the Linear issue (Markdown) and the Jira issue (Atlassian
  Document Format) per theme, and the comments with new evidence.

The network part (one sender per destination kind) is :mod:`cxdaily.connectors.
destinations`; the store's records are :mod:`cxdaily.store.deliveries`; the service ties
them together (:mod:`cxdaily.service.delivery`).
"""
