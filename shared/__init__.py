"""Shared kit of the guidance-centre services: event contracts, messaging, db, logging, auth."""
