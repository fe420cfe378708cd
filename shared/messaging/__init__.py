"""Messaging kit: topology, the publish path, outbox, inbox, consumers, dead letters."""
