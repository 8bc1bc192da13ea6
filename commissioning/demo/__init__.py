"""The demo data set: the seed documents' facts as data, and the idempotent loader that writes
them (`manage.py load_demo`). Facts live in `seed_facts.yaml`, each group citing its source."""
