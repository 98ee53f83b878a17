"""The gateway: the only public entry point. Auth and roles, tenancy (class → shop → agents), the shop registry
and its clocks, routing of the public API to the services, and (later) the web UI and live updates."""
