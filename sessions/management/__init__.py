"""Commands: import_schedule, generate_event, expire_anonymous_schedules, bench."""
