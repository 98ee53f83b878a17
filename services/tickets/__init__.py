"""The service queue: conversations, routing, SLA timers, replies, disputes and reply-time metrics."""
