from django.urls import path

from blog import feeds, views

app_name = "blog"

urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("feed/rss/", feeds.LatestPostsRss(), name="feed_rss"),
    path("feed/atom/", feeds.LatestPostsAtom(), name="feed_atom"),
    path("themes/<slug:slug>/", views.posts_by_theme, name="posts_by_theme"),
    path("authors/<int:pk>/", views.posts_by_author, name="posts_by_author"),
    path("<slug:slug>/", views.post_detail, name="post_detail"),
    path("<slug:slug>/add-to-schedule/", views.add_all_to_schedule, name="add_all_to_schedule"),
]
