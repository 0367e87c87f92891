from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "sessions"
    # The package is called "sessions", whose default label would collide with
    # django.contrib.sessions (also installed); "conference" keeps both apps.
    label = "conference"
    verbose_name = "Conference programme"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from confguide import contributions
        from confguide.contact.sources import describe_pages

        # Admin saves and deletes move the events' content versions.
        from sessions import content  # noqa: F401
        from sessions.demo import content as demo
        from sessions.demo import kubecon, live, rules
        from sessions.myschedule import personal_data, receivers
        from sessions.myschedule import selectors as myschedule
        from sessions.public.selectors import PAGE_TITLES
        from sessions.public.sitemaps import SITEMAPS

        contributions.add_demo_step(
            "KubeCon + CloudNativeCon North America 2020", demo.load_kubecon_na_2020, order=10
        )
        # The demo themes' rules, before the import they theme.
        contributions.add_demo_step("Theme rules", rules.load_theme_rules, order=25)
        # A second, real event from the official schedule, where ../shared/data has it.
        contributions.add_demo_step(
            "KubeCon + CloudNativeCon Europe 2026", kubecon.load_kubecon_eu_2026, order=30
        )
        # A made-up one-day event moved to today on every run, so "now and next" shows.
        contributions.add_demo_step("Live demo event (today)", live.load_live_event, order=40)
        contributions.add_sitemap_sections(SITEMAPS)
        contributions.provide_saved_sessions(myschedule.saved_session_ids)
        contributions.add_personal_data(
            "my_schedule",
            label=personal_data.LABEL,
            description=personal_data.DESCRIPTION,
            collect=personal_data.collect,
            erase=personal_data.erase,
        )
        contributions.add_personal_data(
            "change_emails",
            label=personal_data.CHANGE_EMAILS_LABEL,
            description=personal_data.CHANGE_EMAILS_DESCRIPTION,
            collect=personal_data.collect_change_emails,
            erase=personal_data.erase_change_emails,
        )
        describe_pages(PAGE_TITLES)
        user_logged_in.connect(receivers.merge_schedule_on_sign_in, dispatch_uid="merge_schedule")
