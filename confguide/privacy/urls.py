from django.urls import path

from confguide.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("your-data/", views.your_data, name="your_data"),
    path("your-data/download/", views.download, name="download"),
    path("delete-account/", views.delete_account, name="delete_account"),
    path("delete-account/done/", views.account_deleted, name="account_deleted"),
]
