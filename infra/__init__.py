"""Deployment files and the generator that writes the compose file from the topology table (``infra.compose``)."""
