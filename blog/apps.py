from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        from blog import demo, selectors
        from blog.sitemaps import PostSitemap
        from confguide import contributions
        from confguide.contact.sources import describe_pages

        # After the event it features (order 10).
        contributions.add_demo_step("Guide post on KubeCon NA 2020", demo.load_guide_post, order=20)
        describe_pages({"blog:post_detail": selectors.post_title})
        contributions.add_sitemap_sections({"posts": PostSitemap})
