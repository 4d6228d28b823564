from django.urls import path

from . import views_notifications

app_name = "notifications"

urlpatterns = [
    path("", views_notifications.notification_list, name="list"),
    path("gelezen/", views_notifications.mark_read, name="mark_all_read"),
    path("<int:pk>/gelezen/", views_notifications.mark_read, name="mark_read"),
]
