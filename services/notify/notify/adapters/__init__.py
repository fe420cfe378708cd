"""What notify uses to reach outside itself, apart from the database and the broker: the e-mail
and webhook channels (`channels`), the vetting of webhook addresses against SSRF (`targets`), the
redaction of a failed attempt to a fixed vocabulary (`failures`), and the sealing of the
organisations' signing secrets at rest (`keys`)."""
