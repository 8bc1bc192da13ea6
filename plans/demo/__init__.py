"""Demo plans from the seed documents: facts in `seed_plans.yaml`, loaded by `loader.py` as a
step of `manage.py load_demo` (registered from PlansConfig.ready())."""
