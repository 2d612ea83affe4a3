"""Webhooks: Intercom's signed notification events, delivered reliably (docs/webhooks.md).

- publish.py: publish(session, principal, topic, item), the transactional outbox;
- delivery.py: the delivery threads (lease, retries, throttling, pausing, the attempt log);
- models.py, service.py, routes.py, cli.py: subscriptions on the control plane and the CLI;
- topics.py, watch.py: the topic catalogue and the domains' publishing helpers.
"""
